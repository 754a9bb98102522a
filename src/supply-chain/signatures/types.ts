/**
 * The contract between the signature verifiers (cosign, sigstore bundles,
 * Notation, attestations) and the trust service that runs them
 * (src/supply-chain/trust). A verifier gets one signature artifact found
 * beside a subject, the trust material of one signer the trust policy names,
 * and answers whether that signer signed that subject — never throwing for a
 * bad signature (that is a result with a reason), only for a bug.
 *
 * Discovery (which manifests are signatures of which digest) and the cache of
 * results per digest and trust-policy version belong to the trust service.
 */

/** How a signature artifact is stored. */
export type SignatureFormat =
  /** cosign's legacy scheme: a manifest tagged `sha256-<hex>.sig`, simple-signing payload layers. */
  | 'cosign-simplesigning'
  /** A sigstore bundle (v0.1–v0.3) in an OCI 1.1 referrer: a signature (message signature) or a DSSE attestation. */
  | 'sigstore-bundle'
  /** cosign's legacy attestations: a manifest tagged `sha256-<hex>.att`, DSSE envelope layers. */
  | 'cosign-dsse'
  /** Notation signatures in OCI 1.1 referrers (config `application/vnd.cncf.notary.signature`). */
  | 'notation-jws'
  | 'notation-cose';

/** Signatures sign the subject's digest; attestations sign an in-toto statement about it. */
export type SignatureKind = 'signature' | 'attestation';

/** A signature artifact the trust service found for a subject. */
export interface SignatureArtifact {
  format: SignatureFormat;
  /** Repository holding the signature manifest (the subject's own repository). */
  repository: string;
  /** Digest of the signature manifest. */
  digest: string;
  /** The signature manifest, parsed (layers, annotations, config, subject). */
  manifest: SignatureManifest;
  /** Reads one blob of the signature manifest, refusing more than `maxBytes`. */
  readBlob(digest: string, maxBytes: number): Promise<Uint8Array>;
}

export interface SignatureDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

export interface SignatureManifest {
  mediaType: string;
  artifactType?: string;
  config: SignatureDescriptor;
  layers: SignatureDescriptor[];
  subject?: SignatureDescriptor;
  annotations?: Record<string, string>;
}

/** What a signed subject is: the digest the signature must name. */
export interface SignatureSubject {
  /** `project/repository`. */
  repository: string;
  /** sha256:… of the subject manifest. */
  digest: string;
  /** Registry host and port as clients address it (cosign's simple-signing `docker-reference`; informational). */
  registryHost?: string;
}

// ---- trust material: one signer of a trust policy ----

/** A public key (PEM, SPKI): ECDSA P-256/P-384, Ed25519 or RSA. cosign `--key`. */
export interface KeySigner {
  type: 'key';
  name: string;
  publicKeyPem: string;
}

/**
 * Keyless (Fulcio-certified) signing: the certificate must chain to a
 * Fulcio CA of the trusted root, the signature must be logged in Rekor (or
 * carry a timestamp) as the root's thresholds say, and the certificate's
 * identity and OIDC issuer must match — exactly or by regular expression —
 * as `cosign verify --certificate-identity[-regexp] --certificate-oidc-issuer[-regexp]`.
 */
export interface KeylessSigner {
  type: 'keyless';
  name: string;
  /** Contents of a sigstore `trusted_root.json` (the trust service resolves it by name). */
  trustedRootJson: string;
  identity?: string;
  identityRegExp?: string;
  issuer?: string;
  issuerRegExp?: string;
}

/**
 * A Notation signer: X.509 trust stores and trusted identities, with a
 * verification level, as a Notation trust policy statement defines them.
 */
export interface NotationSigner {
  type: 'notation';
  name: string;
  /** Root certificates (PEM) of the `ca` trust store (notary.x509) or the `signingAuthority` store. */
  trustStore: { type: 'ca' | 'signingAuthority'; certificatesPem: string[] };
  /** Timestamping authority roots (PEM), for RFC 3161 countersignatures. */
  tsaCertificatesPem?: string[];
  /** `x509.subject: C=US, O=…` entries, or `*`. */
  trustedIdentities: string[];
  level: 'strict' | 'permissive' | 'audit' | 'skip';
  /** Notation's `override`: validations moved to enforce/log/skip. */
  override?: Partial<Record<'integrity' | 'authenticity' | 'authenticTimestamp' | 'expiry' | 'revocation', 'enforce' | 'log' | 'skip'>>;
}

export type Signer = KeySigner | KeylessSigner | NotationSigner;

// ---- results ----

/** Who signed, as far as the signature shows it (shown in API, CLI and UI). */
export interface SignerIdentity {
  method: 'key' | 'keyless' | 'x509';
  /** The policy signer that matched (its `name`). */
  signer: string;
  /** Keyless: the certificate's SAN (e-mail, URI); X.509: the subject DN. */
  identity?: string;
  /** Keyless: the OIDC issuer extension. X.509: the issuer DN. */
  issuer?: string;
  /** Key: SHA-256 fingerprint of the public key (hex). X.509: of the leaf certificate. */
  fingerprint?: string;
}

export interface VerificationResult {
  /** Digest of the signature manifest. */
  signatureDigest: string;
  format: SignatureFormat;
  kind: SignatureKind;
  verified: boolean;
  /**
   * Why it did not verify, in words a user acts on ("signed by a key the
   * policy does not trust", "payload names sha256:… not the subject",
   * "certificate identity x@y is not ci@example.com", "certificate expired
   * at … before the signature was logged"), or a note on a verified one.
   */
  reason: string;
  signedBy?: SignerIdentity;
  /** When it was signed, by the most trustworthy clock the signature has (tlog, TSA, claimed signing time). */
  signedAt?: number;
  /** Certificate or signature expiry, when there is one. */
  expiresAt?: number;
  /** Attestations: the in-toto predicate type, e.g. https://slsa.dev/provenance/v1. */
  predicateType?: string;
  /** Notation audit/permissive levels: failures that were only logged. */
  warnings?: string[];
}

export interface VerifyRequest {
  subject: SignatureSubject;
  signature: SignatureArtifact;
  signer: Signer;
  /** Time of verification (ms), for expiry checks; tests pass a fixed one. */
  now: number;
}

/** One verifier per family; `formats` says which artifacts it takes, `signerTypes` which signers. */
export interface SignatureVerifier {
  readonly formats: readonly SignatureFormat[];
  readonly signerTypes: readonly Signer['type'][];
  verify(request: VerifyRequest): Promise<VerificationResult>;
}

/** Byte limits of every blob a verifier reads (signatures are small; anything bigger is hostile). */
export const SIGNATURE_LIMITS = {
  /** A simple-signing payload, a sigstore bundle, a DSSE envelope, a JWS or COSE envelope. */
  maxEnvelopeBytes: 4 * 1024 * 1024,
  /** Layers per signature manifest that are looked at. */
  maxLayers: 64,
  /** Certificates in one chain. */
  maxChainLength: 10,
} as const;
