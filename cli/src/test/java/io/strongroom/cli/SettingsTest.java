package io.strongroom.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the address, token, CA and tenant come from: flag > environment > config file. */
class SettingsTest {
  @TempDir Path dir;
  TestEnvironment env;
  final List<String> warnings = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    env = new TestEnvironment(Files.createDirectories(dir.resolve("home")), dir);
  }

  Settings resolve(Settings.Flags flags) {
    return Settings.resolve(flags, env, warnings::add);
  }

  static Settings.Flags flags() {
    return new Settings.Flags(null, null, null, null, null, null);
  }

  Path defaultConfig(String content) throws Exception {
    Path f = env.home.resolve(".config/strongroom/config.properties");
    Files.createDirectories(f.getParent());
    Files.writeString(f, content);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    return f;
  }

  @Test
  void defaultsWithNothingConfigured() {
    Settings s = resolve(flags());
    assertThat(s.addr().toString()).isEqualTo(Settings.DEFAULT_ADDR);
    assertThat(s.token()).isNull();
    assertThat(s.cacert()).isNull();
    assertThat(s.tenant()).isNull();
  }

  @Test
  void fileThenEnvironmentThenFlag() throws Exception {
    defaultConfig(
        "addr=https://file.example:1\ntoken=srt_file\ncacert=/file/ca.pem\ntenant=file-tenant\n");
    Settings fromFile = resolve(flags());
    assertThat(fromFile.addr().toString()).isEqualTo("https://file.example:1");
    assertThat(fromFile.token()).isEqualTo("srt_file");
    assertThat(fromFile.cacert()).isEqualTo(Path.of("/file/ca.pem"));
    assertThat(fromFile.tenant()).isEqualTo("file-tenant");

    env.vars.put("STRONGROOM_ADDR", "https://env.example:2");
    env.vars.put("STRONGROOM_TOKEN", "srt_env");
    env.vars.put("STRONGROOM_CACERT", "/env/ca.pem");
    env.vars.put("STRONGROOM_TENANT", "env-tenant");
    Settings fromEnv = resolve(flags());
    assertThat(fromEnv.addr().toString()).isEqualTo("https://env.example:2");
    assertThat(fromEnv.token()).isEqualTo("srt_env");
    assertThat(fromEnv.cacert()).isEqualTo(Path.of("/env/ca.pem"));
    assertThat(fromEnv.tenant()).isEqualTo("env-tenant");

    Settings fromFlags =
        resolve(
            new Settings.Flags(
                "https://flag.example:3", "srt_flag", null, "/flag/ca.pem", null, "flag-tenant"));
    assertThat(fromFlags.addr().toString()).isEqualTo("https://flag.example:3");
    assertThat(fromFlags.token()).isEqualTo("srt_flag");
    assertThat(fromFlags.cacert()).isEqualTo(Path.of("/flag/ca.pem"));
    assertThat(fromFlags.tenant()).isEqualTo("flag-tenant");
    assertThat(fromFlags.toString()).doesNotContain("srt_flag");
    assertThat(warnings).isEmpty();
  }

  @Test
  void tokenFilesAtEachLevel() throws Exception {
    Path a = dir.resolve("a.token");
    Path b = dir.resolve("b.token");
    Path c = dir.resolve("c.token");
    for (Path p : List.of(a, b, c)) {
      Files.writeString(p, "srt_" + p.getFileName() + "\n");
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
    }
    defaultConfig("token-file=" + c + "\n");
    assertThat(resolve(flags()).token()).isEqualTo("srt_c.token");
    env.vars.put("STRONGROOM_TOKEN_FILE", b.toString());
    assertThat(resolve(flags()).token()).isEqualTo("srt_b.token");
    Settings s = resolve(new Settings.Flags(null, null, "a.token", null, null, null));
    assertThat(s.token()).isEqualTo("srt_a.token"); // relative to the working directory
    assertThat(s.tokenSource()).contains("--token-file");
    // a flag token beats an environment token file
    assertThat(resolve(new Settings.Flags(null, "srt_x", null, null, null, null)).token())
        .isEqualTo("srt_x");
    assertThat(warnings).isEmpty();
  }

  @Test
  void tokenAndTokenFileTogetherAreAmbiguous() {
    assertThatThrownBy(
            () -> resolve(new Settings.Flags(null, "srt_x", "/some/file", null, null, null)))
        .isInstanceOfSatisfying(
            CliException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.USAGE))
        .hasMessageContaining("--token and --token-file");
  }

  @Test
  void missingTokenFileIsAnIoError() {
    assertThatThrownBy(
            () -> resolve(new Settings.Flags(null, null, "/no/such/token", null, null, null)))
        .isInstanceOfSatisfying(
            CliException.class,
            e -> {
              assertThat(e.exitCode()).isEqualTo(ExitCodes.CLIENT);
              assertThat(e.code()).isEqualTo("IO_ERROR");
            })
        .hasMessageContaining("no such file");
  }

  @Test
  void explicitConfigFile() throws Exception {
    Path f = dir.resolve("other.properties");
    Files.writeString(f, "addr=kms.example.com:9443\nbogus=1\n");
    env.vars.put("STRONGROOM_CONFIG", "/does/not/matter/when/flag/given");
    Settings s = resolve(new Settings.Flags(null, null, null, null, f.toString(), null));
    assertThat(s.addr().toString()).isEqualTo("https://kms.example.com:9443");
    assertThat(warnings).singleElement().asString().contains("unknown setting 'bogus'");

    env.vars.put("STRONGROOM_CONFIG", f.toString());
    assertThat(resolve(flags()).addr().getHost()).isEqualTo("kms.example.com");

    assertThatThrownBy(
            () -> resolve(new Settings.Flags(null, null, null, null, "/no/such.conf", null)))
        .isInstanceOfSatisfying(
            CliException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.USAGE))
        .hasMessageContaining("no such file");
  }

  @Test
  void xdgConfigHome() throws Exception {
    Path xdg = dir.resolve("xdg");
    Files.createDirectories(xdg.resolve("strongroom"));
    Files.writeString(xdg.resolve("strongroom/config.properties"), "tenant=xdg\n");
    env.vars.put("XDG_CONFIG_HOME", xdg.toString());
    assertThat(resolve(flags()).tenant()).isEqualTo("xdg");
  }

  @Test
  void warnsWhenATokenFileIsReadableByOthers() throws Exception {
    Path f = defaultConfig("token=srt_shared\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(resolve(flags()).token()).isEqualTo("srt_shared");
    assertThat(warnings).singleElement().asString().contains("chmod 600");
  }

  @Test
  void badAddresses() {
    for (String bad : List.of("ftp://x", "http://127.0.0.1:8443", "https://", "http//:x y")) {
      assertThatThrownBy(() -> resolve(new Settings.Flags(bad, null, null, null, null, null)))
          .as(bad)
          .isInstanceOfSatisfying(
              CliException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.USAGE));
    }
  }
}
