package io.strongroom.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.strongroom.api.CryptoMessages.BatchItem;
import io.strongroom.api.CryptoMessages.BatchRequest;
import io.strongroom.api.CryptoMessages.BatchResponse;
import io.strongroom.client.StrongroomClient;
import io.strongroom.hsm.Pkcs11Config;
import io.strongroom.hsm.Pkcs11Token;
import io.strongroom.hsm.RawGcm;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Data keys through the HSM path against the raw PKCS#11 calls they make (issue 3's performance
 * check), on one token with the same number of threads:
 *
 * <ol>
 *   <li><b>bare</b>: the PKCS#11 calls alone, each thread looping AES-256-GCM (random 12-byte IV,
 *       90 bytes of AAD like a blob's, 32-byte plaintext like a data key) with a token key inside
 *       the token: {@code encrypt} (what generate-data-key does in the HSM) and {@code decrypt}.
 *       Made two ways: by the same raw calls as the server ({@link RawGcm}: {@code C_EncryptInit}
 *       with the AAD, {@code C_Encrypt}), which is the comparison, and by SunPKCS11's {@code
 *       Cipher} (which needs two of each, see docs/HSM.md), for reference. The raw loop runs again
 *       after each round of the server's figures, and each round is set beside the mean of the runs
 *       before and after it, since the machine's speed drifts;
 *   <li><b>server</b>: a Strongroom server (child process, root key in the token, durable audit,
 *       TLS 1.3) whose PKCS#11 session pool has as many sessions as the bare loop has threads, and
 *       a client with enough concurrent requests to keep those sessions busy (each request waits
 *       for its audit record to commit, so a few synchronous callers would measure the audit
 *       commit's latency, not throughput): generate-data-key, then decrypt, on an HSM key, as
 *       single requests and in batches. The client is h2load by default ({@link H2load}: in C, it
 *       takes about 2 µs of CPU per batched data key where the SDK takes 6–30, on the same two
 *       cores as the server), or the SDK with {@code --client sdk}. With {@code --rounds N} every
 *       server figure is measured N times on the same server, the raw loop between rounds, and the
 *       median of the rounds is printed: the first round includes the server's JIT warm-up.
 * </ol>
 *
 * Run by {@code bench/run.sh hsm}, which creates a SoftHSM2 token in a temporary directory first
 * (or targets another token through the environment; see the script).
 */
public final class HsmThroughput {
  static final byte[] AAD = new byte[90];

  private HsmThroughput() {}

  public static void main(String[] args) throws Exception {
    int threads = 4;
    int clients = 64;
    String protection = "HSM";
    int batch = 100;
    int seconds = 10;
    int warmup = 5;
    int inFlight = 0; // batches in flight; 0: as many as threads
    boolean http1 = false;
    boolean batchesOnly = false;
    int rounds = 1;
    boolean sdk = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--clients" -> clients = Integer.parseInt(args[++i]);
        case "--protection" -> protection = args[++i];
        case "--batch" -> batch = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--in-flight" -> inFlight = Integer.parseInt(args[++i]);
        case "--http1" -> http1 = true;
        case "--batches-only" -> batchesOnly = true;
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--client" -> {
          String c = args[++i];
          if (!c.equals("h2load") && !c.equals("sdk")) {
            throw new IllegalArgumentException("--client is h2load or sdk");
          }
          sdk = c.equals("sdk");
        }
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (!sdk && !H2load.installed()) {
      throw new IllegalStateException(
          "h2load is not installed (Debian: apt-get install nghttp2-client); or use --client sdk");
    }
    Path library = Path.of(env("STRONGROOM_PKCS11_LIBRARY"));
    String label = env("STRONGROOM_PKCS11_TOKEN_LABEL");

    Pkcs11Config cfg =
        new Pkcs11Config(
            library,
            label,
            null,
            env("STRONGROOM_PKCS11_PIN").toCharArray(),
            threads,
            Duration.ofSeconds(5),
            Pkcs11Config.DEFAULT_PROBE_LABEL);
    String keyLabel = "bench-bare-" + System.nanoTime();
    long slot;
    try (Pkcs11Token token = Pkcs11Token.open(cfg, new SimpleMeterRegistry())) {
      token.createKey(keyLabel);
      slot = token.slot();
    }
    Provider p =
        Security.getProvider("SunPKCS11")
            .configure("--name = bench\nlibrary = \"" + library + "\"\nslot = " + slot + "\n");
    KeyStore ks = KeyStore.getInstance("PKCS11", p);
    ks.load(null, cfg.pin());
    SecretKey key = (SecretKey) ks.getKey(keyLabel, null);
    byte[] sample = bareEncrypt(p, key, new byte[32]);

    System.out.printf(
        Locale.ROOT,
        "token '%s' (%s), %d threads on the token (bare loop threads = server PKCS#11 sessions),"
            + " %d concurrent requests to the server over %s, %d s warm-up + %d s measured per"
            + " figure%n",
        label,
        library,
        threads,
        clients,
        http1 ? "HTTP/1.1" : "HTTP/2",
        warmup,
        seconds);
    RawGcm raw = RawGcm.open(library, slot, keyLabel);
    byte[] rawSample = rawEncrypt(raw, new byte[32]);
    Rate jcaEnc = null;
    Rate jcaDec = null;
    if (!batchesOnly) {
      jcaEnc =
          measure(threads, warmup, seconds, OWN_CPU, () -> bareEncrypt(p, key, new byte[32]))
              .print("bare SunPKCS11 Cipher AES-GCM encrypt (reference)");
      jcaDec =
          measure(threads, warmup, seconds, OWN_CPU, () -> bareDecrypt(p, key, sample))
              .print("bare SunPKCS11 Cipher AES-GCM decrypt (reference)");
    }
    // bare[r] is the raw loop's [encrypt, decrypt] before round r, and after round r - 1
    List<Rate[]> bare = new ArrayList<>();
    bare.add(bareRawLoop(raw, rawSample, threads, warmup, seconds));
    List<Rate[]> served = new ArrayList<>(); // per round: single gdk, single decrypt, batches

    Path data = Files.createTempDirectory("strongroom-hsm-bench");
    List<String> common =
        List.of(
            "--pkcs11-library",
            library.toString(),
            "--pkcs11-token-label",
            label,
            "--pkcs11-sessions",
            Integer.toString(threads),
            "--pkcs11-root-label",
            "bench-root-" + System.nanoTime(),
            "--root-key",
            "pkcs11");
    ServerProcess.runToCompletion(data, concat(common, "--pkcs11-init"));
    try (ServerProcess server = ServerProcess.start(data, common)) {
      LoadGenerator.App prepared =
          LoadGenerator.prepare(
              URI.create(server.endpoint()),
              server.adminToken(),
              server.caCertificate(),
              "bench",
              "hsm-key",
              protection);
      // HTTP/2 (the SDK's default) carries every call over one connection, which one server event
      // loop serves; --http1 gives each call in flight its own connection.
      StrongroomClient app =
          http1
              ? StrongroomClient.builder()
                  .endpoint(server.endpoint())
                  .token(prepared.token())
                  .caCertificate(server.caCertificate())
                  .httpVersion(java.net.http.HttpClient.Version.HTTP_1_1)
                  .build()
              : prepared.client();
      Map<String, String> ctx = Map.of("volume", "vol-1");
      // blobs to decrypt: one for each item of a batch
      List<byte[]> pool = new ArrayList<>();
      for (int i = 0; i < batch; i++) {
        pool.add(app.generateDataKey("bench", "hsm-key", ctx).ciphertext());
      }
      Driver drive =
          new Driver(
              sdk ? null : new H2load(server.endpoint(), prepared.token(), http1),
              server,
              warmup,
              seconds);
      // Batches: the HTTP, TLS, authentication and audit costs are paid once per request, so the
      // token's own speed shows. By default as many requests in flight as the bare loop has
      // threads; with more (--in-flight), a session is not idle while its request parses, waits
      // for its audit commit or travels, and the server still runs at most `threads` PKCS#11
      // operations at once (its session pool).
      int batchesInFlight = inFlight > 0 ? inFlight : threads;
      List<BatchItem> gdkItems = new ArrayList<>();
      for (int i = 0; i < batch; i++) {
        gdkItems.add(
            new BatchItem(
                "generate-data-key", "hsm-key", null, null, ctx, null, false, null, null));
      }
      List<BatchItem> decItems = new ArrayList<>();
      for (int i = 0; i < batch; i++) {
        String b64 = Base64.getEncoder().encodeToString(pool.get(i % pool.size()));
        decItems.add(new BatchItem("decrypt", null, null, b64, ctx, null, null, null, null));
      }
      // h2load does not read the answers: the same batches through the SDK, checked item by item
      requireOk(app.batch("bench", gdkItems));
      requireOk(app.batch("bench", decItems));
      String batchPath = "/v1/tenants/bench/batch";
      for (int round = 0; round < rounds; round++) {
        Rate[] r = new Rate[4];
        if (!batchesOnly) {
          r[0] =
              drive.figure(
                  "/v1/tenants/bench/keys/hsm-key/generate-data-key",
                  Map.of("context", ctx),
                  clients,
                  () -> app.generateDataKey("bench", "hsm-key", ctx));
          r[1] =
              drive.figure(
                  "/v1/tenants/bench/decrypt",
                  // h2load repeats one blob; the SDK's threads take any of the pool
                  Map.of(
                      "ciphertext",
                      Base64.getEncoder().encodeToString(pool.get(0)),
                      "context",
                      ctx),
                  clients,
                  () ->
                      app.decrypt(
                          "bench",
                          pool.get(ThreadLocalRandom.current().nextInt(pool.size())),
                          ctx));
        }
        r[2] =
            drive
                .figure(
                    batchPath,
                    new BatchRequest(gdkItems),
                    batchesInFlight,
                    () -> requireOk(app.batch("bench", gdkItems)))
                .times(batch);
        r[3] =
            drive
                .figure(
                    batchPath,
                    new BatchRequest(decItems),
                    batchesInFlight,
                    () -> requireOk(app.batch("bench", decItems)))
                .times(batch);
        served.add(r);
        bare.add(bareRawLoop(raw, rawSample, threads, warmup, seconds));
      }
    }
    int inFlightShown = inFlight > 0 ? inFlight : threads;
    String[] what = {
      "server generate-data-key (" + protection + " key), single requests",
      "server decrypt (" + protection + " key), single requests",
      "server batches of " + batch + " generate-data-key, " + inFlightShown + " in flight",
      "server batches of " + batch + " decrypt, " + inFlightShown + " in flight"
    };
    System.out.println(
        "server path against the bare raw loop (mean of the runs before and after it): throughput,"
            + " and the server process's CPU per data key against the bare loop's CPU per"
            + " operation");
    List<List<Double>> ratios =
        List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    for (int round = 0; round < served.size(); round++) {
      for (int i = 0; i < 4; i++) {
        Rate r = served.get(round)[i];
        if (r == null) {
          continue;
        }
        Rate b = bare.get(round)[i % 2].mean(bare.get(round + 1)[i % 2]);
        Rate jca = i % 2 == 0 ? jcaEnc : jcaDec;
        ratios.get(i).add(r.perSecond() / b.perSecond());
        print(round, what[i], r, b, jca);
      }
    }
    if (served.size() > 1) {
      for (int i = 0; i < 4; i++) {
        if (!ratios.get(i).isEmpty()) {
          System.out.printf(
              Locale.ROOT,
              "median over %d rounds: %s %.0f %% of the bare raw loop%n",
              served.size(),
              what[i],
              100 * median(ratios.get(i)));
        }
      }
    }
  }

  private static void print(int round, String what, Rate r, Rate bare, Rate jca) {
    System.out.printf(
        Locale.ROOT,
        "%-58s %,9.0f data keys/s = %3.0f %% of the bare raw loop (%s of the Cipher"
            + " loop); %5.1f µs of server CPU per data key = %3.0f %% of the bare cost;"
            + " client %4.1f µs per data key; machine %2.0f %% idle%n",
        (round + 1) + ". " + what,
        r.perSecond(),
        100 * r.perSecond() / bare.perSecond(),
        jca == null
            ? "-"
            : String.format(Locale.ROOT, "%3.0f %%", 100 * r.perSecond() / jca.perSecond()),
        r.cpuMicros(),
        100 * bare.cpuMicros() / r.cpuMicros(),
        r.ownCpuMicros(),
        100 * r.idle());
    if (!r.byThread().isEmpty()) {
      StringBuilder line = new StringBuilder("     server CPU by thread, µs per data key:");
      r.byThread().entrySet().stream()
          .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
          .forEach(
              e -> line.append(String.format(Locale.ROOT, " %s %.1f,", e.getKey(), e.getValue())));
      line.setLength(line.length() - 1);
      System.out.println(line);
    }
  }

  private static final ObjectMapper JSON =
      new ObjectMapper().setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL);

  /**
   * Runs one server figure with the chosen client: h2load repeating one POST of a JSON body, or
   * (without h2load) the SDK making the same call from as many threads as requests in flight.
   */
  private record Driver(H2load h2, ServerProcess server, int warmup, int seconds) {
    Rate figure(String path, Object body, int inFlight, Op sdkCall) throws Exception {
      if (h2 == null) {
        return measure(inFlight, warmup, seconds, server::cpuSeconds, sdkCall);
      }
      byte[] json = JSON.writeValueAsBytes(body);
      h2.run(path, json, inFlight, warmup);
      double cpuStart = server.cpuSeconds();
      Map<String, Double> threadsStart = ThreadCpu.read(server.pid());
      long start = System.nanoTime();
      H2load.Run run = h2.run(path, json, inFlight, seconds);
      double elapsed = (System.nanoTime() - start) / 1e9;
      double cpu = server.cpuSeconds() - cpuStart;
      long n = run.succeeded();
      Map<String, Double> byThread = new TreeMap<>();
      if (n > 0) {
        ThreadCpu.minus(ThreadCpu.read(server.pid()), threadsStart)
            .forEach((k, v) -> byThread.put(k, v * 1e6 / n));
      }
      double idle =
          Math.max(
              0,
              1
                  - (cpu + run.cpuSeconds())
                      / (elapsed * Runtime.getRuntime().availableProcessors()));
      return new Rate(
          n / run.seconds(),
          n == 0 ? 0 : cpu * 1e6 / n,
          n == 0 ? 0 : run.cpuSeconds() * 1e6 / n,
          idle,
          byThread);
    }
  }

  /** The raw calls alone: [encrypt, decrypt]. */
  private static Rate[] bareRawLoop(RawGcm raw, byte[] sample, int threads, int warmup, int seconds)
      throws Exception {
    return new Rate[] {
      measure(threads, warmup, seconds, OWN_CPU, () -> rawEncrypt(raw, new byte[32]))
          .print("bare raw calls AES-GCM encrypt"),
      measure(threads, warmup, seconds, OWN_CPU, () -> rawDecrypt(raw, sample))
          .print("bare raw calls AES-GCM decrypt")
    };
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  /** The bench process's own CPU time: the bare loops run here. */
  private static final DoubleSupplier OWN_CPU =
      () ->
          ((com.sun.management.OperatingSystemMXBean)
                      java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                  .getProcessCpuTime()
              / 1e9;

  /**
   * Operations per second; CPU per operation of the process doing the work, and of this process
   * (the client, when the work is the server's; the same as the first for the bare loops); and the
   * share of the machine's CPU time that neither used.
   *
   * @param byThread the server's CPU per operation (µs) by kind of thread ({@link ThreadCpu});
   *     empty where not measured (bare loops, the SDK client)
   */
  private record Rate(
      double perSecond,
      double cpuMicros,
      double ownCpuMicros,
      double idle,
      Map<String, Double> byThread) {
    Rate(double perSecond, double cpuMicros, double ownCpuMicros, double idle) {
      this(perSecond, cpuMicros, ownCpuMicros, idle, Map.of());
    }

    /** Per item, for operations of {@code items} items each. */
    Rate times(int items) {
      Map<String, Double> perItem = new TreeMap<>();
      byThread.forEach((k, v) -> perItem.put(k, v / items));
      return new Rate(perSecond * items, cpuMicros / items, ownCpuMicros / items, idle, perItem);
    }

    /** The mean of two bare-loop runs. */
    Rate mean(Rate other) {
      return new Rate(
          (perSecond + other.perSecond) / 2,
          (cpuMicros + other.cpuMicros) / 2,
          (ownCpuMicros + other.ownCpuMicros) / 2,
          (idle + other.idle) / 2);
    }

    Rate print(String what) {
      System.out.printf(
          Locale.ROOT,
          "%s: %,.0f ops/s, %.1f µs CPU per op, machine %.0f %% idle%n",
          what,
          perSecond,
          cpuMicros,
          100 * idle);
      return this;
    }
  }

  private static List<String> concat(List<String> a, String... b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(List.of(b));
    return all;
  }

  private static void requireOk(BatchResponse r) {
    for (var item : r.results()) {
      if (item.error() != null) {
        throw new IllegalStateException("batch item failed: " + item.error().code());
      }
    }
  }

  static String env(String name) {
    String v = System.getenv(name);
    if (v == null || v.isBlank()) {
      throw new IllegalStateException(name + " is not set (bench/run.sh hsm sets it)");
    }
    return v;
  }

  static byte[] rawEncrypt(RawGcm raw, byte[] plaintext) throws Exception {
    byte[] iv = new byte[12];
    ThreadLocalRandom.current().nextBytes(iv);
    byte[] ct = raw.encrypt(iv, AAD, plaintext);
    byte[] out = new byte[12 + ct.length];
    System.arraycopy(iv, 0, out, 0, 12);
    System.arraycopy(ct, 0, out, 12, ct.length);
    return out;
  }

  static byte[] rawDecrypt(RawGcm raw, byte[] ivAndCt) throws Exception {
    return raw.decrypt(
        Arrays.copyOf(ivAndCt, 12), AAD, Arrays.copyOfRange(ivAndCt, 12, ivAndCt.length));
  }

  static byte[] bareEncrypt(Provider p, SecretKey key, byte[] plaintext) throws Exception {
    byte[] iv = new byte[12];
    ThreadLocalRandom.current().nextBytes(iv);
    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding", p);
    gcm.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
    gcm.updateAAD(AAD);
    byte[] ct = gcm.doFinal(plaintext);
    byte[] out = new byte[12 + ct.length];
    System.arraycopy(iv, 0, out, 0, 12);
    System.arraycopy(ct, 0, out, 12, ct.length);
    return out;
  }

  static byte[] bareDecrypt(Provider p, SecretKey key, byte[] ivAndCt) throws Exception {
    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding", p);
    gcm.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, ivAndCt, 0, 12));
    gcm.updateAAD(AAD);
    return gcm.doFinal(ivAndCt, 12, ivAndCt.length - 12);
  }

  @FunctionalInterface
  private interface Op {
    void run() throws Exception;
  }

  /**
   * Operations per second over {@code seconds}, after {@code warmup} seconds, on N threads, and the
   * CPU time {@code cpu} (in seconds) counts per operation meanwhile.
   */
  private static Rate measure(int threads, int warmup, int seconds, DoubleSupplier cpu, Op op)
      throws Exception {
    AtomicBoolean counting = new AtomicBoolean();
    AtomicBoolean stop = new AtomicBoolean();
    LongAdder done = new LongAdder();
    CountDownLatch finished = new CountDownLatch(threads);
    ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    for (int t = 0; t < threads; t++) {
      Thread.ofPlatform()
          .start(
              () -> {
                try {
                  while (!stop.get()) {
                    op.run();
                    if (counting.get()) {
                      done.increment();
                    }
                  }
                } catch (Throwable e) {
                  errors.add(e);
                } finally {
                  finished.countDown();
                }
              });
    }
    Thread.sleep(warmup * 1000L);
    counting.set(true);
    long start = System.nanoTime();
    double cpuStart = cpu.getAsDouble();
    double ownStart = OWN_CPU.getAsDouble();
    Thread.sleep(seconds * 1000L);
    long n = done.sum();
    double elapsed = (System.nanoTime() - start) / 1e9;
    double cpuSeconds = cpu.getAsDouble() - cpuStart;
    double ownSeconds = OWN_CPU.getAsDouble() - ownStart;
    double used = cpu == OWN_CPU ? ownSeconds : cpuSeconds + ownSeconds;
    double idle = Math.max(0, 1 - used / (elapsed * Runtime.getRuntime().availableProcessors()));
    stop.set(true);
    finished.await();
    if (!errors.isEmpty()) {
      throw new IllegalStateException("an operation failed", errors.peek());
    }
    return new Rate(
        n / elapsed, n == 0 ? 0 : cpuSeconds * 1e6 / n, n == 0 ? 0 : ownSeconds * 1e6 / n, idle);
  }

  static {
    new SecureRandom().nextBytes(AAD);
  }
}
