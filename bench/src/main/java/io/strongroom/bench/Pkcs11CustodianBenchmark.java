package io.strongroom.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.strongroom.core.custody.VersionRef;
import io.strongroom.hsm.Pkcs11Config;
import io.strongroom.hsm.Pkcs11KeyCustodian;
import io.strongroom.hsm.Pkcs11Token;
import io.strongroom.hsm.RawGcm;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Provider;
import java.security.Security;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.crypto.SecretKey;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * The PKCS#11 custodian's wrap and unwrap of a 32-byte data key inside the token, beside the raw
 * AES-256-GCM calls it makes ({@code raw*}) and, for reference, SunPKCS11's {@code Cipher} doing
 * the same ({@code bare*}), on the same token and thread (issue 3 measured at the custodian,
 * without the server). Needs a token: {@code bench/run.sh jmh} creates a SoftHSM2 token in a
 * temporary directory unless {@code STRONGROOM_PKCS11_LIBRARY}, {@code
 * STRONGROOM_PKCS11_TOKEN_LABEL} and {@code STRONGROOM_PKCS11_PIN} name one.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
public class Pkcs11CustodianBenchmark {
  private final VersionRef ref = new VersionRef("acme", "0123456789abcdef0123456789abcdef", 1);
  private final byte[] dataKey = new byte[32];
  private Pkcs11Token token;
  private Pkcs11KeyCustodian custodian;
  private byte[] stored;
  private byte[] payload;
  private Provider bare;
  private SecretKey bareKey;
  private byte[] bareSample;
  private RawGcm raw;
  private byte[] rawSample;

  @Setup
  public void setUp() throws Exception {
    Path library = Path.of(HsmThroughput.env("STRONGROOM_PKCS11_LIBRARY"));
    Pkcs11Config cfg =
        new Pkcs11Config(
            library,
            HsmThroughput.env("STRONGROOM_PKCS11_TOKEN_LABEL"),
            null,
            HsmThroughput.env("STRONGROOM_PKCS11_PIN").toCharArray(),
            4,
            Duration.ofSeconds(5),
            Pkcs11Config.DEFAULT_PROBE_LABEL);
    token = Pkcs11Token.open(cfg, new SimpleMeterRegistry());
    custodian = new Pkcs11KeyCustodian(token);
    stored = custodian.createVersion(ref);
    payload = custodian.encrypt(ref, stored, dataKey, HsmThroughput.AAD);

    String bareLabel = "bench-jmh-bare-" + System.nanoTime();
    token.createKey(bareLabel);
    bare =
        Security.getProvider("SunPKCS11")
            .configure(
                "--name = bench-jmh\nlibrary = \"" + library + "\"\nslot = " + token.slot() + "\n");
    KeyStore ks = KeyStore.getInstance("PKCS11", bare);
    ks.load(null, cfg.pin());
    bareKey = (SecretKey) ks.getKey(bareLabel, null);
    bareSample = HsmThroughput.bareEncrypt(bare, bareKey, dataKey);
    raw = RawGcm.open(library, token.slot(), bareLabel);
    rawSample = HsmThroughput.rawEncrypt(raw, dataKey);
  }

  @TearDown
  public void tearDown() {
    token.close();
  }

  @Benchmark
  public byte[] custodianWrap() throws Exception {
    return custodian.encrypt(ref, stored, dataKey, HsmThroughput.AAD);
  }

  @Benchmark
  public byte[] custodianUnwrap() throws Exception {
    return custodian.decrypt(ref, stored, payload, HsmThroughput.AAD);
  }

  @Benchmark
  public byte[] bareEncrypt() throws Exception {
    return HsmThroughput.bareEncrypt(bare, bareKey, dataKey);
  }

  @Benchmark
  public byte[] bareDecrypt() throws Exception {
    return HsmThroughput.bareDecrypt(bare, bareKey, bareSample);
  }

  /** The raw calls the custodian makes (C_EncryptInit with the AAD, C_Encrypt), alone. */
  @Benchmark
  public byte[] rawEncrypt() throws Exception {
    return HsmThroughput.rawEncrypt(raw, dataKey);
  }

  @Benchmark
  public byte[] rawDecrypt() throws Exception {
    return HsmThroughput.rawDecrypt(raw, rawSample);
  }
}
