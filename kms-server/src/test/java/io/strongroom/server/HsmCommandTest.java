package io.strongroom.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.strongroom.hsm.testing.SoftHsm;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The PKCS#11 options of {@code strongroom-server}: root key creation and start-up failures. */
class HsmCommandTest {
  private static final String TOKEN = "strongroom-extra";
  @TempDir Path dir;
  private Path pin;

  @BeforeEach
  void pinFile() throws Exception {
    SoftHsm.setUp();
    pin = dir.resolve("pin");
    Files.writeString(pin, SoftHsm.PIN + "\n");
  }

  private record Run(int code, String out, String err) {}

  private List<String> pkcs11(String token, Path pinFile) {
    return List.of(
        "--data-dir",
        dir.resolve("data").toString(),
        "--port",
        "0",
        "--pkcs11-library",
        SoftHsm.library().toString(),
        "--pkcs11-token-label",
        token,
        "--pkcs11-pin-file",
        pinFile.toString());
  }

  private static Run run(List<String> base, String... more) {
    List<String> args = new ArrayList<>(base);
    args.addAll(List.of(more));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      System.setOut(o);
      System.setErr(e);
      code = new CommandLine(new Main()).execute(args.toArray(String[]::new));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void createsTheRootKeyOnceAndNeverReplacesIt() {
    String label = "cmd-root-" + System.nanoTime();
    Run first = run(pkcs11(TOKEN, pin), "--pkcs11-root-label", label, "--pkcs11-create-root");
    assertThat(first.code()).as(first.err()).isZero();
    assertThat(first.out()).contains("created root key: AES-256 key '" + label + "' in PKCS#11");

    Run again = run(pkcs11(TOKEN, pin), "--pkcs11-root-label", label, "--pkcs11-create-root");
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.err())
        .contains("already holds a key labelled " + label)
        .contains("the existing key is kept");
  }

  @Test
  void aMissingRootKeyStopsStartAndSaysHowToCreateIt() {
    Run r = run(pkcs11(TOKEN, pin), "--root-key", "pkcs11", "--pkcs11-root-label", "absent-root");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .contains("error: the server could not start: no root key labelled 'absent-root'")
        .contains("--pkcs11-create-root")
        .doesNotContain("Exception");
  }

  @Test
  void aWrongPinStopsStart() throws Exception {
    Path wrong = dir.resolve("wrong-pin");
    Files.writeString(wrong, "0000\n");
    Run r = run(pkcs11(SoftHsm.NEVER_LOGGED_IN, wrong));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo(
            "error: the server could not start: login to PKCS#11 token '"
                + SoftHsm.NEVER_LOGGED_IN
                + "' failed: wrong PIN (CKR_PIN_INCORRECT)"
                + System.lineSeparator());
  }

  @Test
  void aMissingTokenStopsStart() {
    Run r = run(pkcs11("no-such-token", pin));
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .contains("error: the server could not start: no PKCS#11 token labelled 'no-such-token'")
        .contains("'" + TOKEN + "'");
  }

  @Test
  void configurationMistakesAreUsageErrors() {
    Run noLibrary = run(List.of("--data-dir", dir.toString(), "--root-key", "pkcs11"));
    assertThat(noLibrary.code()).isEqualTo(2);
    assertThat(noLibrary.err()).contains("need --pkcs11-library");

    Run emptyPin =
        run(
            List.of(
                "--data-dir",
                dir.toString(),
                "--pkcs11-library",
                SoftHsm.library().toString(),
                "--pkcs11-token-label",
                TOKEN,
                "--pkcs11-pin-env",
                "STRONGROOM_TEST_UNSET_PIN_VARIABLE"));
    assertThat(emptyPin.code()).isEqualTo(2);
    assertThat(emptyPin.err())
        .contains("PIN in environment variable STRONGROOM_TEST_UNSET_PIN_VARIABLE is missing");

    Run missingPinFile = run(pkcs11(TOKEN, dir.resolve("nope")));
    assertThat(missingPinFile.code()).isEqualTo(2);

    Run badRootKind = run(List.of("--data-dir", dir.toString(), "--root-key", "tpm"));
    assertThat(badRootKind.code()).isEqualTo(2);
    assertThat(badRootKind.err()).contains("--root-key must be 'file' or 'pkcs11'");
  }
}
