package io.strongroom.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the frozen test-vector files under {@code vectors/}: UTF-8 text, {@code #} comment lines,
 * blocks of {@code key=value} lines (split at the first {@code =}) separated by blank lines.
 */
public final class Vectors {
  private Vectors() {}

  /** One block, its fields in file order. */
  public record Block(Map<String, String> fields) {
    public String get(String name) {
      String v = fields.get(name);
      if (v == null) {
        throw new IllegalStateException("vector has no field " + name + ": " + fields);
      }
      return v;
    }

    /** The field, or null when absent. */
    public String optional(String name) {
      return fields.get(name);
    }

    /** The {@code context.<k>=<v>} entries. */
    public Map<String, String> context() {
      Map<String, String> c = new TreeMap<>();
      fields.forEach(
          (k, v) -> {
            if (k.startsWith("context.")) {
              c.put(k.substring("context.".length()), v);
            }
          });
      return c;
    }

    public boolean hasContextLines() {
      return fields.keySet().stream().anyMatch(k -> k.startsWith("context."));
    }
  }

  public static List<Block> load(String resource) {
    String text;
    try (InputStream in = Vectors.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + resource);
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Block> blocks = new ArrayList<>();
    Map<String, String> current = new LinkedHashMap<>();
    for (String line : text.split("\n", -1)) {
      if (line.startsWith("#")) {
        continue;
      }
      if (line.isBlank()) {
        if (!current.isEmpty()) {
          blocks.add(new Block(Collections.unmodifiableMap(current)));
          current = new LinkedHashMap<>();
        }
        continue;
      }
      int eq = line.indexOf('=');
      if (eq < 1) {
        throw new IllegalStateException("malformed vector line in " + resource + ": " + line);
      }
      if (current.put(line.substring(0, eq), line.substring(eq + 1)) != null) {
        throw new IllegalStateException("duplicate field in " + resource + ": " + line);
      }
    }
    if (!current.isEmpty()) {
      blocks.add(new Block(Collections.unmodifiableMap(current)));
    }
    return blocks;
  }
}
