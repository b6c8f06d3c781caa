package io.strongroom.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.strongroom.core.store.Stores;
import io.strongroom.core.testing.InMemoryStores;
import io.strongroom.core.testing.Vectors;
import io.strongroom.core.testing.Vectors.Block;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The frozen audit chain of {@code vectors/audit-v1.txt}: the record encoding is the one the
 * Javadoc of {@link AuditChain} documents (rebuilt here independently), and the macs are the ones
 * release 0.1 wrote.
 */
class AuditChainVectorsTest {
  private static final HexFormat HEX = HexFormat.of();

  private final List<Block> blocks = Vectors.load("vectors/audit-v1.txt");
  private final byte[] auditKey = HEX.parseHex(blocks.get(0).get("auditKeyHex"));
  private final List<Block> records = blocks.subList(1, blocks.size());

  @Test
  void fileHoldsAChainOfThreeRecords() {
    assertThat(records).extracting(r -> r.get("seq")).containsExactly("1", "2", "3");
  }

  @Test
  void encodingIsTheDocumentedOne() {
    for (Block r : records) {
      byte[] byHand = documentedEncoding(Long.parseLong(r.get("seq")), event(r));
      assertThat(HEX.formatHex(byHand)).as("seq " + r.get("seq")).isEqualTo(r.get("encodingHex"));
      assertThat(HEX.formatHex(AuditChain.encode(Long.parseLong(r.get("seq")), event(r))))
          .isEqualTo(r.get("encodingHex"));
    }
  }

  @Test
  void macsAreTheFrozenOnes() throws Exception {
    AuditChain chain = new AuditChain(auditKey);
    byte[] prev = AuditChain.genesis();
    for (Block r : records) {
      long seq = Long.parseLong(r.get("seq"));
      byte[] mac = chain.mac(prev, seq, event(r));
      assertThat(HEX.formatHex(mac)).as("seq " + seq).isEqualTo(r.get("macHex"));
      assertThat(mac).isEqualTo(hmac(prev, HEX.parseHex(r.get("encodingHex"))));
      prev = mac;
    }
  }

  @Test
  void anInMemoryLogOfTheVectorEventsVerifies() {
    AuditChain chain = new AuditChain(auditKey);
    Stores stores = InMemoryStores.create(chain);
    stores.audit().append(records.stream().map(AuditChainVectorsTest::event).toList()).join();
    List<String> macs = new ArrayList<>();
    for (AuditRecord r : stores.audit().scan(0, 10)) {
      macs.add(HEX.formatHex(r.mac()));
    }
    assertThat(macs).isEqualTo(records.stream().map(r -> r.get("macHex")).toList());
    assertThat(chain.verify(stores.audit(), 2).ok()).isTrue();
  }

  /**
   * A batch's record (items added in 0.2): records without items still encode as the frozen vectors
   * above; a record with items appends them as documented, and its mac is frozen here.
   */
  @Test
  void batchRecordEncodingIsTheDocumentedOneAndItsMacIsFrozen() throws Exception {
    AuditEvent batch =
        new AuditEvent(
            Instant.parse("2026-11-22T18:30:00.123Z"),
            "req-0004",
            "acme",
            "acme/svc",
            "batch",
            null,
            null,
            null,
            "OK",
            null,
            "10.0.0.4",
            List.of(
                new AuditItem(
                    "generate-data-key", "orders", 2, Map.of("volume", "vol-9"), "OK", null),
                new AuditItem("decrypt", "orders", 1, Map.of(), "ERROR", "INVALID_CIPHERTEXT"),
                new AuditItem("unknown", null, null, null, "ERROR", "INVALID_ARGUMENT")));
    byte[] encoding = AuditChain.encode(4, batch);
    assertThat(encoding).isEqualTo(documentedEncoding(4, batch));
    byte[] withoutItems =
        documentedEncoding(
            4,
            new AuditEvent(
                batch.time(),
                "req-0004",
                "acme",
                "acme/svc",
                "batch",
                null,
                null,
                null,
                "OK",
                null,
                "10.0.0.4"));
    assertThat(Arrays.copyOf(encoding, withoutItems.length)).isEqualTo(withoutItems);
    byte[] prev = HEX.parseHex(records.get(records.size() - 1).get("macHex"));
    byte[] mac = new AuditChain(auditKey).mac(prev, 4, batch);
    assertThat(mac).isEqualTo(hmac(prev, encoding));
    assertThat(HEX.formatHex(mac)).isEqualTo(BATCH_MAC_HEX);
  }

  /** Frozen when batch records were introduced; never regenerate. */
  private static final String BATCH_MAC_HEX =
      "d0a997e98a7facdd686589bd61749754f712544cc1e5635fc43a1fa1acba2943";

  private byte[] hmac(byte[] prev, byte[] encoding) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(auditKey, "HmacSHA256"));
    mac.update(prev);
    return mac.doFinal(encoding);
  }

  static AuditEvent event(Block r) {
    Map<String, String> context =
        r.hasContextLines() || "true".equals(r.optional("contextEmpty")) ? r.context() : null;
    String keyVersion = r.optional("keyVersion");
    return new AuditEvent(
        Instant.parse(r.get("time")),
        r.optional("requestId"),
        r.optional("tenant"),
        r.optional("principal"),
        r.optional("operation"),
        r.optional("key"),
        keyVersion == null ? null : Integer.valueOf(keyVersion),
        context,
        r.optional("outcome"),
        r.optional("errorCode"),
        r.optional("source"));
  }

  /** The record encoding exactly as the Javadoc of {@link AuditChain} states it. */
  private static byte[] documentedEncoding(long seq, AuditEvent e) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes("strongroom/audit/v1".getBytes(StandardCharsets.US_ASCII));
    out.write(0);
    out.writeBytes(ByteBuffer.allocate(8).putLong(seq).array());
    out.writeBytes(ByteBuffer.allocate(8).putLong(e.time().toEpochMilli()).array());
    str(out, e.requestId());
    str(out, e.tenant());
    str(out, e.principal());
    str(out, e.operation());
    str(out, e.key());
    int32(out, e.keyVersion() == null ? -1 : e.keyVersion());
    context(out, e.context());
    str(out, e.outcome());
    str(out, e.errorCode());
    str(out, e.source());
    if (e.items() != null) {
      int32(out, e.items().size());
      for (AuditItem i : e.items()) {
        str(out, i.operation());
        str(out, i.key());
        int32(out, i.keyVersion() == null ? -1 : i.keyVersion());
        context(out, i.context());
        str(out, i.outcome());
        str(out, i.errorCode());
      }
    }
    return out.toByteArray();
  }

  private static void context(ByteArrayOutputStream out, Map<String, String> context) {
    if (context == null) {
      int32(out, -1);
      return;
    }
    int32(out, context.size());
    context.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            c -> {
              str(out, c.getKey());
              str(out, c.getValue());
            });
  }

  private static void str(ByteArrayOutputStream out, String s) {
    if (s == null) {
      int32(out, -1);
      return;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    int32(out, b.length);
    out.writeBytes(b);
  }

  private static void int32(ByteArrayOutputStream out, int v) {
    out.writeBytes(ByteBuffer.allocate(4).putInt(v).array());
  }
}
