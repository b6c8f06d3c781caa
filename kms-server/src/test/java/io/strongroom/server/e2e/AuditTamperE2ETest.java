package io.strongroom.server.e2e;

import static io.strongroom.server.testing.ApiAssertions.assertError;
import static io.strongroom.server.testing.TestServer.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strongroom.server.store.Database;
import io.strongroom.server.testing.TestServer;
import io.strongroom.server.testing.TestServer.Response;
import java.sql.ResultSetMetaData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The audit chain against someone with write access to the database: an edited, deleted or
 * reordered {@code audit_log} row is found by {@code POST /v1/audit/verify}, which names the first
 * bad record. Each test puts the rows back and shows the chain verifies again.
 */
class AuditTamperE2ETest {
  private static TestServer server;
  private static Database db;
  private static String app;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start();
    db = server.server().database();
    server.createTenant("audited");
    app = server.createPrincipal("audited", "app", "key-admin", "key-user", "auditor");
    server.createKey("audited", app, "k");
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void someTrafficAndAnIntactChain() {
    for (int i = 0; i < 3; i++) {
      Response r =
          server.post(
              "/v1/tenants/audited/keys/k/generate-data-key",
              app,
              obj("context", Map.of("i", Integer.toString(i))));
      assertThat(r.status()).isEqualTo(200);
    }
    assertError(server.get("/v1/tenants/audited/keys/missing", app), 404, "NOT_FOUND");
    JsonNode v = verify();
    assertThat(v.path("ok").asBoolean()).as("%s", v).isTrue();
  }

  @Test
  void anEditedOperationIsNamed() {
    long seq = seqOf("generate-data-key");
    String original = operationAt(seq);
    assertThat(setOperation(seq, "get-key")).isEqualTo(1);

    JsonNode v = verify();
    assertThat(v.path("ok").asBoolean()).isFalse();
    assertThat(v.path("firstBadSeq").asLong()).isEqualTo(seq);
    assertThat(v.path("reason").asText()).contains(Long.toString(seq));

    setOperation(seq, original);
    assertThat(verify().path("ok").asBoolean()).isTrue();
  }

  @Test
  void anEditedOutcomeIsNamed() {
    long seq = seqOf("get-key");
    assertThat(
            db.update(
                "UPDATE audit_log SET outcome = 'OK', error_code = NULL WHERE seq = ?",
                ps -> ps.setLong(1, seq)))
        .isEqualTo(1);
    JsonNode v = verify();
    assertThat(v.path("ok").asBoolean()).isFalse();
    assertThat(v.path("firstBadSeq").asLong()).isEqualTo(seq);
    db.update(
        "UPDATE audit_log SET outcome = 'ERROR', error_code = 'NOT_FOUND' WHERE seq = ?",
        ps -> ps.setLong(1, seq));
    assertThat(verify().path("ok").asBoolean()).isTrue();
  }

  @Test
  void aDeletedRecordIsNamed() {
    long seq = seqOf("generate-data-key");
    Map<String, Object> saved = row(seq);
    assertThat(db.update("DELETE FROM audit_log WHERE seq = ?", ps -> ps.setLong(1, seq)))
        .isEqualTo(1);

    JsonNode v = verify();
    assertThat(v.path("ok").asBoolean()).isFalse();
    assertThat(v.path("firstBadSeq").asLong()).isEqualTo(seq);
    assertThat(v.path("reason").asText()).contains("missing");

    insert(saved);
    assertThat(verify().path("ok").asBoolean()).isTrue();
  }

  @Test
  void aDeletedLastRecordIsNamed() {
    long last = db.query("SELECT MAX(seq) FROM audit_log", ps -> {}, rs -> rs.getLong(1)).get(0);
    Map<String, Object> saved = row(last);
    db.update("DELETE FROM audit_log WHERE seq = ?", ps -> ps.setLong(1, last));

    JsonNode v = verify();
    assertThat(v.path("ok").asBoolean()).isFalse();
    assertThat(v.path("firstBadSeq").asLong()).isEqualTo(last);

    insert(saved);
    assertThat(verify().path("ok").asBoolean()).isTrue();
  }

  @Test
  void swappedRecordsAreNamed() {
    List<Long> seqs = seqsOf("generate-data-key");
    long a = seqs.get(seqs.size() - 2);
    long b = seqs.get(seqs.size() - 1);
    swap(a, b);

    JsonNode v = verify();
    assertThat(v.path("ok").asBoolean()).isFalse();
    assertThat(v.path("firstBadSeq").asLong()).isEqualTo(a);

    swap(a, b);
    assertThat(verify().path("ok").asBoolean()).isTrue();
  }

  @Test
  void onlyPlatformAdminsMayVerify() {
    assertError(server.post("/v1/audit/verify", app, null), 403, "PERMISSION_DENIED");
  }

  // ---- helpers ----

  private static JsonNode verify() {
    Response r = server.post("/v1/audit/verify", server.adminToken(), null);
    assertThat(r.status()).as("%s", r).isEqualTo(200);
    return r.json();
  }

  /** The latest record of the tenant with this operation, found through the API. */
  private static long seqOf(String operation) {
    List<Long> seqs = seqsOf(operation);
    assertThat(seqs).as("records of %s", operation).isNotEmpty();
    return seqs.get(seqs.size() - 1);
  }

  private static List<Long> seqsOf(String operation) {
    List<Long> seqs = new ArrayList<>();
    String token = null;
    do {
      Response page =
          server.get(
              "/v1/tenants/audited/audit?pageSize=1000"
                  + (token == null ? "" : "&pageToken=" + token),
              app);
      assertThat(page.status()).isEqualTo(200);
      for (JsonNode r : page.json().path("records")) {
        if (r.path("operation").asText().equals(operation)) {
          seqs.add(r.path("seq").asLong());
        }
      }
      token = page.json().path("nextPageToken").asText(null);
    } while (token != null);
    return seqs;
  }

  private static String operationAt(long seq) {
    return db.query(
            "SELECT operation FROM audit_log WHERE seq = ?",
            ps -> ps.setLong(1, seq),
            rs -> rs.getString(1))
        .get(0);
  }

  private static int setOperation(long seq, String operation) {
    return db.update(
        "UPDATE audit_log SET operation = ? WHERE seq = ?",
        ps -> {
          ps.setString(1, operation);
          ps.setLong(2, seq);
        });
  }

  private static void swap(long a, long b) {
    db.inTransaction(
        c -> {
          Database.update(c, "UPDATE audit_log SET seq = -1 WHERE seq = ?", ps -> ps.setLong(1, a));
          Database.update(
              c,
              "UPDATE audit_log SET seq = ? WHERE seq = ?",
              ps -> {
                ps.setLong(1, a);
                ps.setLong(2, b);
              });
          Database.update(c, "UPDATE audit_log SET seq = ? WHERE seq = -1", ps -> ps.setLong(1, b));
          return null;
        });
  }

  private static Map<String, Object> row(long seq) {
    return db.query(
            "SELECT * FROM audit_log WHERE seq = ?",
            ps -> ps.setLong(1, seq),
            rs -> {
              ResultSetMetaData md = rs.getMetaData();
              Map<String, Object> m = new LinkedHashMap<>();
              for (int i = 1; i <= md.getColumnCount(); i++) {
                m.put(md.getColumnName(i), rs.getObject(i));
              }
              return m;
            })
        .get(0);
  }

  private static void insert(Map<String, Object> row) {
    List<String> columns = new ArrayList<>(row.keySet());
    String sql =
        "INSERT INTO audit_log ("
            + String.join(", ", columns)
            + ") VALUES ("
            + String.join(", ", columns.stream().map(c -> "?").toList())
            + ")";
    db.update(
        sql,
        ps -> {
          for (int i = 0; i < columns.size(); i++) {
            ps.setObject(i + 1, row.get(columns.get(i)));
          }
        });
  }
}
