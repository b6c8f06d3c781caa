package io.strongroom.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ThreadCpuTest {
  /** A stat line as Linux writes it; the name may hold spaces and parentheses. */
  private static final String STAT =
      "4242 (C2 Compiler)Thre) S 4100 4100 99 0 -1 4194368 1520 0 0 0 731 42 0 0 20 0 61 0"
          + " 123456 4000000000 30000 18446744073709551615 1 1 0 0 0 0 4 0 17412 0 0 0 17 1 0 0 0"
          + " 0 0";

  @Test
  void readsTheNameAndTheUserAndSystemTicks() {
    assertThat(ThreadCpu.name(STAT)).isEqualTo("C2 Compiler)Thre");
    assertThat(ThreadCpu.ticks(STAT)).isEqualTo(731 + 42);
  }

  @Test
  void groupsTheServersThreadsByKind() {
    assertThat(ThreadCpu.kind("kms-worker-13")).isEqualTo("workers");
    assertThat(ThreadCpu.kind("kms-batch-2")).isEqualTo("batch pool");
    assertThat(ThreadCpu.kind("vert.x-eventloo")).isEqualTo("event loops");
    assertThat(ThreadCpu.kind("audit-writer")).isEqualTo("audit writer");
    assertThat(ThreadCpu.kind("C1 CompilerThre")).isEqualTo("JIT");
    assertThat(ThreadCpu.kind("GC Thread#1")).isEqualTo("GC");
    assertThat(ThreadCpu.kind("G1 Conc#0")).isEqualTo("GC");
    assertThat(ThreadCpu.kind("HN-serializatio")).isEqualTo("other");
  }

  @Test
  void readsThisProcessesThreads() {
    Map<String, Double> before = ThreadCpu.read(ProcessHandle.current().pid());
    long x = 0;
    for (long i = 0; i < 200_000_000L; i++) {
      x += i ^ (x >>> 3);
    }
    Map<String, Double> used =
        ThreadCpu.minus(ThreadCpu.read(ProcessHandle.current().pid()), before);
    assertThat(x).isNotZero();
    assertThat(used).containsKey("other");
    assertThat(used.get("other")).isPositive();
  }

  @Test
  void subtractsByKind() {
    assertThat(ThreadCpu.minus(Map.of("workers", 3.0, "JIT", 1.0), Map.of("workers", 1.0)))
        .containsExactlyInAnyOrderEntriesOf(Map.of("workers", 2.0, "JIT", 1.0));
  }
}
