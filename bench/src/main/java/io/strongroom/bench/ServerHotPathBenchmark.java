package io.strongroom.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.strongroom.api.CryptoMessages.DataKeyResponse;
import io.strongroom.api.CryptoMessages.GenerateDataKeyRequest;
import io.strongroom.core.audit.AuditChain;
import io.strongroom.core.audit.AuditEvent;
import io.strongroom.core.crypto.EncryptionContext;
import io.strongroom.core.custody.LocalFileRootKey;
import io.strongroom.core.custody.SoftwareKeyCustodian;
import io.strongroom.core.custody.VersionRef;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * The server's per-request hot paths in isolation, one thread each (issue 5): the SOFTWARE
 * custodian wrapping and unwrapping a 32-byte data key (material cached, as in steady state), the
 * canonical encoding of a two-entry encryption context, JSON decoding of a generate-data-key
 * request and encoding of its response, and the audit chain's HMAC of one record. The PKCS#11
 * custodian has {@link Pkcs11CustodianBenchmark}, and is measured through the server by {@code
 * bench/run.sh hsm}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
public class ServerHotPathBenchmark {
  private static final Map<String, String> CONTEXT = Map.of("app", "billing", "table", "orders");
  private static final ObjectMapper JSON = new ObjectMapper();

  private SoftwareKeyCustodian custodian;
  private final VersionRef ref = new VersionRef("acme", "0123456789abcdef0123456789abcdef", 1);
  private byte[] stored;
  private byte[] dataKey;
  private byte[] aad;
  private byte[] payload;
  private byte[] requestJson;
  private DataKeyResponse response;
  private AuditChain chain;
  private AuditEvent event;
  private byte[] previousMac;

  @Setup
  public void setUp() throws Exception {
    Path dir = Files.createTempDirectory("strongroom-hot-path");
    custodian =
        new SoftwareKeyCustodian(
            LocalFileRootKey.loadOrCreate(dir.resolve("root.key")), Duration.ofMinutes(5), 100);
    stored = custodian.createVersion(ref);
    dataKey = new byte[32];
    new SecureRandom().nextBytes(dataKey);
    aad = new byte[90];
    payload = custodian.encrypt(ref, stored, dataKey, aad);
    requestJson =
        "{\"context\":{\"app\":\"billing\",\"table\":\"orders\"}}".getBytes(StandardCharsets.UTF_8);
    response =
        new DataKeyResponse(
            Base64.getEncoder().encodeToString(new byte[94]),
            Base64.getEncoder().encodeToString(dataKey),
            "payments",
            3);
    byte[] auditKey = new byte[32];
    new SecureRandom().nextBytes(auditKey);
    chain = new AuditChain(auditKey);
    event =
        new AuditEvent(
            Instant.now(),
            "req-0123456789",
            "acme",
            "app",
            "generate-data-key",
            "payments",
            3,
            CONTEXT,
            "ALLOWED",
            null,
            "127.0.0.1");
    previousMac = AuditChain.genesis();
  }

  @Benchmark
  public byte[] softwareWrapDataKey() throws GeneralSecurityException {
    return custodian.encrypt(ref, stored, dataKey, aad);
  }

  @Benchmark
  public byte[] softwareUnwrapDataKey() throws GeneralSecurityException {
    return custodian.decrypt(ref, stored, payload, aad);
  }

  @Benchmark
  public byte[] contextCanonicalEncoding() {
    return EncryptionContext.of(CONTEXT).canonical();
  }

  @Benchmark
  public GenerateDataKeyRequest jsonDecodeRequest() throws java.io.IOException {
    return JSON.readValue(requestJson, GenerateDataKeyRequest.class);
  }

  @Benchmark
  public byte[] jsonEncodeResponse() throws java.io.IOException {
    return JSON.writeValueAsBytes(response);
  }

  @Benchmark
  public byte[] auditChainMac() {
    return chain.mac(previousMac, 42L, event);
  }
}
