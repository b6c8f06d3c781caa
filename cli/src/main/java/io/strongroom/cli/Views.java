package io.strongroom.cli;

import static io.strongroom.cli.Output.fields;

import io.strongroom.api.AuditMessages.AuditList;
import io.strongroom.api.AuditMessages.AuditRecordResponse;
import io.strongroom.api.AuditMessages.VerifyResponse;
import io.strongroom.api.CryptoMessages.DataKeyResponse;
import io.strongroom.api.KeyMessages.KeyList;
import io.strongroom.api.KeyMessages.KeyResponse;
import io.strongroom.api.KeyMessages.VersionList;
import io.strongroom.api.KeyMessages.VersionResponse;
import io.strongroom.api.TenantMessages.PrincipalResponse;
import io.strongroom.api.TenantMessages.TenantList;
import io.strongroom.api.TenantMessages.TenantResponse;
import io.strongroom.api.TenantMessages.TokenResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** How each API record looks as a table; as JSON it is the record itself. */
final class Views {
  private Views() {}

  static void tenant(Output out, TenantResponse t) {
    out.record(
        t, fields("name", t.name(), "description", t.description(), "created", t.createdAt()));
  }

  static void tenants(Output out, TenantList list) {
    List<List<?>> rows = new ArrayList<>();
    for (TenantResponse t : list.tenants()) {
      rows.add(List.of(t.name(), nz(t.createdAt()), nz(t.description())));
    }
    out.table(list, List.of("NAME", "CREATED", "DESCRIPTION"), rows);
  }

  static void principal(Output out, PrincipalResponse p) {
    TokenResponse t = p.token();
    Map<String, Object> f =
        fields(
            "tenant", p.tenant(),
            "principal", p.name(),
            "roles", p.roles(),
            "created", p.createdAt());
    if (t != null) {
      f.putAll(fields("token id", t.id(), "token", t.token(), "token expires", t.expiresAt()));
    }
    out.record(p, f);
    if (t != null && t.token() != null) {
      out.note("The token is shown only this once: store it now (only its hash is kept).");
    }
  }

  static void token(Output out, TokenResponse t) {
    out.record(
        t,
        fields(
            "id", t.id(),
            "token", t.token(),
            "principal", t.principal(),
            "description", t.description(),
            "expires", t.expiresAt()));
    if (t.token() != null) {
      out.note("The token is shown only this once: store it now (only its hash is kept).");
    }
  }

  static void key(Output out, KeyResponse k) {
    out.record(
        k,
        fields(
            "tenant", k.tenant(),
            "name", k.name(),
            "id", k.id(),
            "protection", k.protection(),
            "state", k.state(),
            "primary version", k.primaryVersion(),
            "latest version", k.latestVersion(),
            "min encrypt version", k.minEncryptVersion(),
            "min decrypt version", k.minDecryptVersion(),
            "rotation period", k.rotationPeriod(),
            "next rotation", k.nextRotationAt(),
            "destroy at", k.destroyAt(),
            "description", k.description(),
            "labels", k.labels(),
            "revision", k.revision(),
            "created", k.createdAt(),
            "updated", k.updatedAt()));
  }

  static void keys(Output out, KeyList list) {
    List<List<?>> rows = new ArrayList<>();
    for (KeyResponse k : list.keys()) {
      rows.add(
          List.of(
              k.name(),
              k.state(),
              k.protection(),
              k.primaryVersion(),
              k.latestVersion(),
              nz(k.rotationPeriod()),
              nz(k.nextRotationAt()),
              Output.text(k.labels())));
    }
    out.table(
        list,
        List.of("NAME", "STATE", "PROTECTION", "PRIMARY", "LATEST", "ROTATION", "NEXT", "LABELS"),
        rows);
  }

  static void version(Output out, VersionResponse v) {
    out.record(
        v,
        fields(
            "key", v.key(),
            "version", v.version(),
            "state", v.state(),
            "primary", v.primary(),
            "protection", v.protection(),
            "created", v.createdAt(),
            "destroy at", v.destroyAt()));
  }

  static void versions(Output out, VersionList list) {
    List<List<?>> rows = new ArrayList<>();
    for (VersionResponse v : list.versions()) {
      rows.add(
          List.of(
              v.version(),
              v.state(),
              v.primary() ? "yes" : "",
              v.protection(),
              nz(v.createdAt()),
              nz(v.destroyAt())));
    }
    out.table(
        list, List.of("VERSION", "STATE", "PRIMARY", "PROTECTION", "CREATED", "DESTROY-AT"), rows);
  }

  static void dataKey(Output out, DataKeyResponse d) {
    out.record(
        d,
        fields(
            "key", d.key(),
            "key version", d.keyVersion(),
            "ciphertext", d.ciphertext(),
            "plaintext", d.plaintext()));
  }

  static void audit(Output out, AuditList list) {
    List<List<?>> rows = new ArrayList<>();
    for (AuditRecordResponse r : list.records()) {
      rows.add(
          List.of(
              r.seq(),
              nz(r.time()),
              nz(r.principal()),
              r.items() == null
                  ? nz(r.operation())
                  : r.operation() + " (" + r.items().size() + " items)",
              nz(r.key()),
              r.keyVersion() == null ? "" : r.keyVersion(),
              nz(r.outcome()),
              nz(r.errorCode()),
              nz(r.requestId())));
    }
    out.table(
        list,
        List.of(
            "SEQ",
            "TIME",
            "PRINCIPAL",
            "OPERATION",
            "KEY",
            "VERSION",
            "OUTCOME",
            "ERROR",
            "REQUEST"),
        rows);
  }

  static void verify(Output out, VerifyResponse v) {
    out.record(
        v,
        fields(
            "ok", v.ok(),
            "records", v.records(),
            "first bad seq", v.firstBadSeq(),
            "reason", v.reason()));
  }

  private static Object nz(Object o) {
    return o == null ? "" : o;
  }
}
