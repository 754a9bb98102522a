/**
 * SBOM download: the scan's inventory as CycloneDX 1.6 or SPDX 2.3 JSON. Plain links (GET with
 * the session cookie), so the browser saves the server's attachment as it names it.
 */
import { Button, Menu } from '@mantine/core';
import { sbomUrl } from './api.ts';

export function SbomDownload({ project, repository, digest }: { project: string; repository: string; digest: string }) {
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <Button variant="default">Download SBOM</Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item component="a" href={sbomUrl(project, repository, digest, 'cyclonedx')} download>
          CycloneDX 1.6 (JSON)
        </Menu.Item>
        <Menu.Item component="a" href={sbomUrl(project, repository, digest, 'spdx')} download>
          SPDX 2.3 (JSON)
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
