package io.strongroom.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Prints results: a readable table (the default) or, with {@code --output json}, the API's records
 * as JSON exactly as the server answers them (field names and values of {@code kms-api}), one
 * document per command, so that scripts can pipe it to {@code jq}.
 */
public final class Output {
  /** The output formats of {@code --output}. */
  public enum Format {
    table,
    json
  }

  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Format format;
  private final PrintWriter out;
  private final PrintWriter err;

  Output(Format format, PrintWriter out, PrintWriter err) {
    this.format = format;
    this.out = out;
    this.err = err;
  }

  public boolean json() {
    return format == Format.json;
  }

  public PrintWriter out() {
    return out;
  }

  public PrintWriter err() {
    return err;
  }

  /** Writes a value as JSON (pretty-printed, one document, newline-terminated). */
  public void writeJson(Object value) {
    try {
      out.println(JSON.writeValueAsString(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
    out.flush();
  }

  /**
   * Reports an operation that answers no record: {@code message} on stdout as a table, an empty
   * JSON object with {@code --output json} (so that the output always parses).
   */
  public void done(String message) {
    out.println(json() ? "{}" : message);
    out.flush();
  }

  /** A message for people on stderr (kept out of stdout, which scripts read). */
  public void note(String message) {
    err.println(message);
    err.flush();
  }

  /**
   * Prints {@code value} as JSON, or as a table of its fields: one line per field, names aligned.
   */
  public void record(Object value, Map<String, ?> fields) {
    if (json()) {
      writeJson(value);
      return;
    }
    int width = fields.keySet().stream().mapToInt(String::length).max().orElse(0);
    for (Map.Entry<String, ?> f : fields.entrySet()) {
      String v = text(f.getValue());
      if (v.isEmpty()) {
        continue;
      }
      out.println(pad(f.getKey(), width) + "  " + v);
    }
    out.flush();
  }

  /** Prints {@code value} as JSON, or {@code rows} as a table under {@code headers}. */
  public void table(Object value, List<String> headers, List<List<?>> rows) {
    if (json()) {
      writeJson(value);
      return;
    }
    int[] widths = new int[headers.size()];
    List<List<String>> cells = new ArrayList<>();
    for (List<?> row : rows) {
      cells.add(row.stream().map(Output::text).toList());
    }
    for (int i = 0; i < widths.length; i++) {
      widths[i] = headers.get(i).length();
      for (List<String> row : cells) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    printRow(headers, widths);
    for (List<String> row : cells) {
      printRow(row, widths);
    }
    out.flush();
  }

  private void printRow(List<String> row, int[] widths) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < row.size(); i++) {
      String v = row.get(i);
      if (i == row.size() - 1) {
        b.append(v);
      } else {
        b.append(pad(v, widths[i])).append("  ");
      }
    }
    out.println(b.toString().stripTrailing());
  }

  /** A table cell: empty for null, k=v pairs for maps, comma-separated lists. */
  static String text(Object v) {
    if (v == null) {
      return "";
    }
    if (v instanceof Map<?, ?> m) {
      return m.entrySet().stream()
          .map(e -> e.getKey() + "=" + e.getValue())
          .collect(Collectors.joining(","));
    }
    if (v instanceof List<?> l) {
      return l.stream().map(Output::text).collect(Collectors.joining(","));
    }
    return String.valueOf(v).replace('\n', ' ');
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s : s + " ".repeat(width - s.length());
  }

  /** An ordered map from alternating names and values, for {@link #record}. */
  public static Map<String, Object> fields(Object... namesAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      m.put((String) namesAndValues[i], namesAndValues[i + 1]);
    }
    return m;
  }
}
