package io.strongroom.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/** Cryptographic operations. Binary values are standard base64 (RFC 4648 §4, padded). */
public final class CryptoMessages {
  private CryptoMessages() {}

  /**
   * @param plaintext base64, at most 64 KiB decoded
   */
  public record EncryptRequest(String plaintext, Map<String, String> context) {}

  public record EncryptResponse(String ciphertext, String key, int keyVersion) {}

  /**
   * @param bytes data key length, 16–64, default 32
   * @param includePlaintext default true
   */
  public record GenerateDataKeyRequest(
      Integer bytes, Map<String, String> context, Boolean includePlaintext) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record DataKeyResponse(String ciphertext, String plaintext, String key, int keyVersion) {}

  public record DecryptRequest(String ciphertext, Map<String, String> context) {}

  public record DecryptResponse(String plaintext, String key, int keyVersion) {}

  /** Defaults: the same key (its primary version) and the same context. */
  public record ReEncryptRequest(
      String ciphertext,
      Map<String, String> context,
      String destinationKey,
      Map<String, String> destinationContext) {}

  public record ReEncryptResponse(
      String ciphertext, String key, int keyVersion, String sourceKey, int sourceKeyVersion) {}

  /** Up to 1000 items. */
  public record BatchRequest(List<BatchItem> items) {}

  /**
   * One item; {@code op} is encrypt, decrypt, generate-data-key or re-encrypt, and the other fields
   * are those of that operation's request ({@code key} names the key for encrypt and
   * generate-data-key).
   */
  public record BatchItem(
      String op,
      String key,
      String plaintext,
      String ciphertext,
      Map<String, String> context,
      Integer bytes,
      Boolean includePlaintext,
      String destinationKey,
      Map<String, String> destinationContext) {}

  /** Results in request order: each item has either its result fields or {@code error}. */
  public record BatchResponse(List<BatchResult> results) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record BatchResult(
      String ciphertext,
      String plaintext,
      String key,
      Integer keyVersion,
      String sourceKey,
      Integer sourceKeyVersion,
      ErrorResponse.Detail error) {}
}
