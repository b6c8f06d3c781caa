package io.strongroom.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.Test;

/**
 * The core stays I/O-free (DESIGN.md section 3): no Vert.x, Netty, JDBC, connection pool, database
 * driver, migration tool or vendor SDK, checked on the compiled main classes. The enforcer plugin
 * bans such dependencies from the pom; this rule also catches the JDK's own {@code java.sql}.
 */
class ArchitectureTest {
  static final ArchRule CORE_IS_IO_FREE =
      noClasses()
          .that()
          .resideInAPackage("io.strongroom.core..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.vertx..",
              "io.netty..",
              "java.sql..",
              "javax.sql..",
              "software.amazon..",
              "com.amazonaws..",
              "com.zaxxer..",
              "org.postgresql..",
              "org.h2..",
              "org.flywaydb..")
          .because("kms-core is I/O-free; adapters live in other modules (DESIGN.md section 3)");

  @Test
  void coreDependsOnNoAdapterTechnology() {
    JavaClasses main =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
            .importPackages("io.strongroom.core");
    // the rule must see the real main classes, or it would pass vacuously
    assertThat(main.stream().map(c -> c.getName()))
        .contains(
            "io.strongroom.core.KeyRing",
            "io.strongroom.core.service.CryptoService",
            "io.strongroom.core.store.KeyStore",
            "io.strongroom.core.custody.SoftwareKeyCustodian")
        .noneMatch(n -> n.endsWith("Test") || n.contains(".testing."));
    CORE_IS_IO_FREE.check(main);
  }

  @Test
  void ruleFailsForAClassThatUsesJdbc() {
    JavaClasses canary = new ClassFileImporter().importClasses(JdbcCanary.class);
    EvaluationResult result = CORE_IS_IO_FREE.evaluate(canary);
    assertThat(result.hasViolation()).isTrue();
    assertThat(result.getFailureReport().toString()).contains("java.sql.Connection");
  }

  /** A class in the core's packages that breaks the rule, to prove the rule can fail. */
  static final class JdbcCanary {
    private JdbcCanary() {}

    static java.sql.Connection connection() {
      return null;
    }
  }
}
