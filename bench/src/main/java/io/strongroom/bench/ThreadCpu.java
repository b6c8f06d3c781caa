package io.strongroom.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A process's CPU time by kind of thread, read from {@code /proc/PID/task/TID/stat} (Linux): the
 * server's worker threads, event loops, audit writer, JIT compiler and GC, so that a figure says
 * where its CPU went without a profiler. Threads that ended between two readings are missing from
 * the second; the kinds that matter here live as long as the server.
 */
final class ThreadCpu {
  private static final double TICKS_PER_SECOND = clockTicks();

  private ThreadCpu() {}

  /** CPU seconds (user + system) by {@link #kind}, of the live threads of {@code pid}. */
  static Map<String, Double> read(long pid) {
    Map<String, Double> seconds = new TreeMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      tasks.forEach(
          t -> {
            try {
              String stat = Files.readString(t.resolve("stat"));
              seconds.merge(kind(name(stat)), ticks(stat) / TICKS_PER_SECOND, Double::sum);
            } catch (IOException | RuntimeException e) {
              // the thread ended while being read
            }
          });
    } catch (IOException e) {
      return Map.of(); // not Linux, or the process is gone
    }
    return seconds;
  }

  /** {@code after - before}, by kind. */
  static Map<String, Double> minus(Map<String, Double> after, Map<String, Double> before) {
    Map<String, Double> d = new TreeMap<>();
    after.forEach((k, v) -> d.put(k, v - before.getOrDefault(k, 0.0)));
    return d;
  }

  /** The thread's name from a stat line: between the first '(' and the last ')'. */
  static String name(String stat) {
    return stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
  }

  /** utime + stime (fields 14 and 15 of proc(5)), in clock ticks. */
  static long ticks(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  /** The kind of a server thread, from the (at most 15-character) name the kernel keeps. */
  static String kind(String name) {
    if (name.startsWith("kms-worker")) {
      return "workers";
    }
    if (name.startsWith("kms-batch")) {
      return "batch pool";
    }
    if (name.startsWith("vert.x-eventloo")) {
      return "event loops";
    }
    if (name.startsWith("audit-writer")) {
      return "audit writer";
    }
    if (name.contains("CompilerThre")) {
      return "JIT";
    }
    if (name.startsWith("GC Thread") || name.startsWith("G1 ")) {
      return "GC";
    }
    return "other";
  }

  private static double clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).strip();
      return p.waitFor() == 0 ? Double.parseDouble(out) : 100;
    } catch (IOException | RuntimeException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }
}
