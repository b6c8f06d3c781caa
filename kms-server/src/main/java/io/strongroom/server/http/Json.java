package io.strongroom.server.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.KeyDeserializer;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.strongroom.core.KmsException;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.stream.Collectors;

/**
 * Strict JSON for the API: unknown fields, wrong types (no coercion of "1" to 1, 1 to "1" or 1.5 to
 * 1), trailing content and duplicate fields are all INVALID_ARGUMENT with a message naming the
 * field.
 */
public final class Json {
  static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .withCoercionConfig(
              LogicalType.Textual,
              c ->
                  c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                      .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                      .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
          // 7.5 days or 32.0 bytes are mistakes, not 7 and 32.
          .withCoercionConfig(
              LogicalType.Integer,
              c -> c.setCoercion(CoercionInputShape.Float, CoercionAction.Fail))
          .withCoercionConfigDefaults(
              c -> c.setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
          .addModule(
              new SimpleModule("no-nul")
                  .addDeserializer(String.class, new NoNulString())
                  .addKeyDeserializer(String.class, new NoNulKey()))
          .build();

  /**
   * No text field may hold U+0000: no name, context or label can, and PostgreSQL refuses it in text
   * columns (which would answer a bad request with UNAVAILABLE).
   */
  private static final class NulCharacterException extends JsonMappingException {
    private static final long serialVersionUID = 1L;

    NulCharacterException(JsonParser p) {
      super(p, "NUL character in text");
    }
  }

  private static final class NoNulString extends StdScalarDeserializer<String> {
    private static final long serialVersionUID = 1L;

    NoNulString() {
      super(String.class);
    }

    @Override
    public String deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
      String s = StringDeserializer.instance.deserialize(p, ctx);
      if (s != null && s.indexOf('\0') >= 0) {
        throw new NulCharacterException(p);
      }
      return s;
    }

    @Override
    public LogicalType logicalType() {
      return LogicalType.Textual;
    }
  }

  private static final class NoNulKey extends KeyDeserializer {
    @Override
    public Object deserializeKey(String key, DeserializationContext ctx) throws IOException {
      if (key.indexOf('\0') >= 0) {
        throw new NulCharacterException(ctx.getParser());
      }
      return key;
    }
  }

  private Json() {}

  /**
   * @throws KmsException INVALID_ARGUMENT for a missing body, malformed JSON or a shape mismatch
   */
  public static <T> T read(Buffer body, Class<T> type) {
    if (body == null || body.length() == 0) {
      throw KmsException.invalidArgument("a JSON request body is required");
    }
    try {
      T value = MAPPER.readValue(body.getBytes(), type);
      if (value == null) {
        throw KmsException.invalidArgument("the request body must be a JSON object");
      }
      return value;
    } catch (NulCharacterException e) {
      String field = path(e);
      throw KmsException.invalidArgument(
          (field.isEmpty() ? "text" : "field '" + field + "'")
              + " must not contain NUL characters");
    } catch (UnrecognizedPropertyException e) {
      throw KmsException.invalidArgument("unknown field '" + e.getPropertyName() + "'");
    } catch (MismatchedInputException e) {
      String field = path(e);
      throw KmsException.invalidArgument(
          field.isEmpty()
              ? "the request body must be a JSON object of the documented shape"
              : "field '" + field + "' has the wrong type");
    } catch (JsonProcessingException e) {
      throw KmsException.invalidArgument("the request body is not valid JSON");
    } catch (IOException e) {
      throw KmsException.invalidArgument("the request body could not be read");
    }
  }

  private static String path(JsonMappingException e) {
    return e.getPath().stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining("."));
  }

  public static Buffer write(Object value) {
    try {
      return Buffer.buffer(MAPPER.writeValueAsBytes(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("response not serializable", e);
    }
  }
}
