package io.strongroom.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.strongroom.core.KmsException;
import io.vertx.core.buffer.Buffer;
import java.util.stream.Collectors;

/**
 * Strict JSON for the API: unknown fields, wrong types (no coercion of "1" to 1 or 1 to "1"),
 * trailing content and duplicate fields are all INVALID_ARGUMENT with a message naming the field.
 */
public final class Json {
  static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .withCoercionConfig(
              LogicalType.Textual,
              c ->
                  c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                      .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                      .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
          .withCoercionConfigDefaults(
              c -> c.setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
          .build();

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
    } catch (UnrecognizedPropertyException e) {
      throw KmsException.invalidArgument("unknown field '" + e.getPropertyName() + "'");
    } catch (MismatchedInputException e) {
      String field =
          e.getPath().stream()
              .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
              .collect(Collectors.joining("."));
      throw KmsException.invalidArgument(
          field.isEmpty()
              ? "the request body must be a JSON object of the documented shape"
              : "field '" + field + "' has the wrong type");
    } catch (JsonProcessingException e) {
      throw KmsException.invalidArgument("the request body is not valid JSON");
    } catch (java.io.IOException e) {
      throw KmsException.invalidArgument("the request body could not be read");
    }
  }

  public static Buffer write(Object value) {
    try {
      return Buffer.buffer(MAPPER.writeValueAsBytes(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("response not serializable", e);
    }
  }
}
