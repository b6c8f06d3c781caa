-- Strongroom schema, version 1. Portable SQL: runs on PostgreSQL and on H2 (embedded default).
-- Times are epoch milliseconds (BIGINT) so that both databases store them identically and the
-- audit chain's MACs, computed over millisecond times, verify after a round trip.
-- Every row that belongs to a tenant carries the tenant's name and every query filters on it.

CREATE TABLE tenants (
  name        VARCHAR(63)   PRIMARY KEY,
  description VARCHAR(1024),
  created_at  BIGINT        NOT NULL
);

CREATE TABLE principals (
  tenant     VARCHAR(63)  NOT NULL,
  name       VARCHAR(128) NOT NULL,
  roles      VARCHAR(256) NOT NULL,
  created_at BIGINT       NOT NULL,
  PRIMARY KEY (tenant, name)
);

-- API tokens: only the SHA-256 of the secret is stored.
CREATE TABLE tokens (
  id          VARCHAR(32)  PRIMARY KEY,
  tenant      VARCHAR(63)  NOT NULL,
  principal   VARCHAR(128) NOT NULL,
  hash        BYTEA        NOT NULL UNIQUE,
  description VARCHAR(256),
  created_at  BIGINT       NOT NULL,
  expires_at  BIGINT       NOT NULL,
  revoked_at  BIGINT
);

CREATE TABLE kms_keys (
  tenant                  VARCHAR(63)  NOT NULL,
  id                      CHAR(32)     NOT NULL,
  name                    VARCHAR(128) NOT NULL,
  protection              VARCHAR(16)  NOT NULL,
  state                   VARCHAR(24)  NOT NULL,
  rotation_period_seconds BIGINT,
  next_rotation_at        BIGINT,
  description             VARCHAR(1024),
  labels                  VARCHAR(16384) NOT NULL,
  primary_version         INTEGER      NOT NULL,
  latest_version          INTEGER      NOT NULL,
  min_encrypt_version     INTEGER      NOT NULL,
  min_decrypt_version     INTEGER      NOT NULL,
  destroy_at              BIGINT,
  revision                BIGINT       NOT NULL,
  created_at              BIGINT       NOT NULL,
  updated_at              BIGINT       NOT NULL,
  PRIMARY KEY (tenant, id),
  UNIQUE (tenant, name)
);
CREATE INDEX kms_keys_destroy_at ON kms_keys (destroy_at);
CREATE INDEX kms_keys_next_rotation_at ON kms_keys (next_rotation_at);

-- material: the custodian's stored form (wrapped material, object handle or key reference),
-- never plaintext key material; NULL once the version is destroyed.
CREATE TABLE key_versions (
  tenant     VARCHAR(63) NOT NULL,
  key_id     CHAR(32)    NOT NULL,
  version    INTEGER     NOT NULL,
  state      VARCHAR(24) NOT NULL,
  protection VARCHAR(16) NOT NULL,
  material   BYTEA,
  created_at BIGINT      NOT NULL,
  destroy_at BIGINT,
  PRIMARY KEY (tenant, key_id, version)
);
CREATE INDEX key_versions_destroy_at ON key_versions (destroy_at);

-- Append-only audit log, chained with HMAC-SHA-256 (see AuditChain).
CREATE TABLE audit_log (
  seq         BIGINT       PRIMARY KEY,
  at          BIGINT       NOT NULL,
  request_id  VARCHAR(64),
  tenant      VARCHAR(63),
  principal   VARCHAR(200),
  operation   VARCHAR(64)  NOT NULL,
  key_name    VARCHAR(128),
  key_version INTEGER,
  context     VARCHAR(200000),
  outcome     VARCHAR(8)   NOT NULL,
  error_code  VARCHAR(32),
  source      VARCHAR(64),
  mac         BYTEA        NOT NULL
);
CREATE INDEX audit_log_tenant_seq ON audit_log (tenant, seq);

-- One row (id = 1): the chain's last seq and mac; locked by every append so that all nodes
-- extend one chain.
CREATE TABLE audit_head (
  id  INTEGER PRIMARY KEY,
  seq BIGINT  NOT NULL,
  mac BYTEA   NOT NULL
);

CREATE TABLE settings (
  name  VARCHAR(64) PRIMARY KEY,
  setting_value BYTEA NOT NULL
);
