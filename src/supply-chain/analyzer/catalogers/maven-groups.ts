/**
 * Maven groups of artifacts that ship without pom.properties and without a
 * group in their manifest. Gradle-built jars are the usual case, and the
 * Spring projects are the ones advisories name most (Spring4Shell is
 * org.springframework:spring-beans): `spring-core-5.3.17.jar` must be
 * `org.springframework:spring-core` for its advisories to match. Only used
 * when the archive itself says nothing (java-archive.ts); a short list of
 * well-known Maven coordinates, not a guess.
 */

/** Spring Framework's own modules, all in group org.springframework. */
const SPRING_FRAMEWORK = new Set([
  'spring-aop', 'spring-aspects', 'spring-beans', 'spring-context', 'spring-context-indexer', 'spring-context-support',
  'spring-core', 'spring-expression', 'spring-instrument', 'spring-jcl', 'spring-jdbc', 'spring-jms', 'spring-messaging',
  'spring-orm', 'spring-oxm', 'spring-r2dbc', 'spring-test', 'spring-tx', 'spring-web', 'spring-webflux', 'spring-webmvc',
  'spring-websocket',
]);

/** Other Spring projects: artifact prefix → group. */
const SPRING_PROJECTS: [string, string][] = [
  ['spring-boot', 'org.springframework.boot'],
  ['spring-security', 'org.springframework.security'],
  ['spring-data', 'org.springframework.data'],
  ['spring-cloud', 'org.springframework.cloud'],
  ['spring-kafka', 'org.springframework.kafka'],
  ['spring-amqp', 'org.springframework.amqp'],
  ['spring-rabbit', 'org.springframework.amqp'],
  ['spring-session', 'org.springframework.session'],
  ['spring-batch', 'org.springframework.batch'],
  ['spring-integration', 'org.springframework.integration'],
  ['spring-ws', 'org.springframework.ws'],
  ['spring-hateoas', 'org.springframework.hateoas'],
  ['spring-retry', 'org.springframework.retry'],
  ['spring-graphql', 'org.springframework.graphql'],
  ['spring-vault', 'org.springframework.vault'],
  ['spring-ldap', 'org.springframework.ldap'],
];

export function knownMavenGroup(artifact: string): string | undefined {
  if (SPRING_FRAMEWORK.has(artifact)) return 'org.springframework';
  for (const [prefix, group] of SPRING_PROJECTS) {
    if (artifact === prefix || artifact.startsWith(`${prefix}-`)) return group;
  }
  return undefined;
}
