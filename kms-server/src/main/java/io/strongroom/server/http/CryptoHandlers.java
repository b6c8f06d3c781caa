package io.strongroom.server.http;

import io.strongroom.api.CryptoMessages.BatchItem;
import io.strongroom.api.CryptoMessages.BatchRequest;
import io.strongroom.api.CryptoMessages.BatchResponse;
import io.strongroom.api.CryptoMessages.BatchResult;
import io.strongroom.api.CryptoMessages.DataKeyResponse;
import io.strongroom.api.CryptoMessages.DecryptRequest;
import io.strongroom.api.CryptoMessages.DecryptResponse;
import io.strongroom.api.CryptoMessages.EncryptRequest;
import io.strongroom.api.CryptoMessages.EncryptResponse;
import io.strongroom.api.CryptoMessages.GenerateDataKeyRequest;
import io.strongroom.api.CryptoMessages.ReEncryptRequest;
import io.strongroom.api.CryptoMessages.ReEncryptResponse;
import io.strongroom.api.ErrorResponse;
import io.strongroom.core.KmsException;
import io.strongroom.core.service.CryptoResults.DataKey;
import io.strongroom.core.service.CryptoResults.Decrypted;
import io.strongroom.core.service.CryptoResults.Encrypted;
import io.strongroom.core.service.CryptoResults.ReEncrypted;
import io.strongroom.core.service.CryptoService;
import io.strongroom.core.service.CryptoService.BatchOutcome;
import java.util.ArrayList;
import java.util.List;

/** Encrypt, decrypt, data keys, re-encrypt and batch. */
final class CryptoHandlers {
  private final CryptoService crypto;

  CryptoHandlers(CryptoService crypto) {
    this.crypto = crypto;
  }

  Reply encrypt(Call call) {
    String key = call.path("key");
    EncryptRequest req = call.body(EncryptRequest.class);
    call.audit(key, null, req.context());
    Encrypted e =
        crypto.encrypt(
            call.caller(),
            call.tenant(),
            key,
            Codec.base64("plaintext", req.plaintext()),
            req.context());
    call.audit(null, e.keyVersion(), null);
    return Reply.ok(new EncryptResponse(Codec.base64(e.ciphertext()), e.key(), e.keyVersion()));
  }

  Reply generateDataKey(Call call) {
    String key = call.path("key");
    GenerateDataKeyRequest req = call.optionalBody(GenerateDataKeyRequest.class);
    if (req == null) {
      req = new GenerateDataKeyRequest(null, null, null);
    }
    call.audit(key, null, req.context());
    DataKey d =
        crypto.generateDataKey(
            call.caller(),
            call.tenant(),
            key,
            req.bytes(),
            req.context(),
            req.includePlaintext() == null || req.includePlaintext());
    call.audit(null, d.keyVersion(), null);
    return Reply.ok(
        new DataKeyResponse(
            Codec.base64(d.ciphertext()), Codec.base64(d.plaintext()), d.key(), d.keyVersion()));
  }

  Reply decrypt(Call call) {
    DecryptRequest req = call.body(DecryptRequest.class);
    call.audit(null, null, req.context());
    Decrypted d =
        crypto.decrypt(
            call.caller(),
            call.tenant(),
            Codec.base64("ciphertext", req.ciphertext()),
            req.context());
    call.audit(d.key(), d.keyVersion(), null);
    return Reply.ok(new DecryptResponse(Codec.base64(d.plaintext()), d.key(), d.keyVersion()));
  }

  Reply reEncrypt(Call call) {
    ReEncryptRequest req = call.body(ReEncryptRequest.class);
    call.audit(req.destinationKey(), null, req.context());
    ReEncrypted r =
        crypto.reEncrypt(
            call.caller(),
            call.tenant(),
            Codec.base64("ciphertext", req.ciphertext()),
            req.context(),
            req.destinationKey(),
            req.destinationContext());
    call.audit(r.key(), r.keyVersion(), null);
    return Reply.ok(
        new ReEncryptResponse(
            Codec.base64(r.ciphertext()),
            r.key(),
            r.keyVersion(),
            r.sourceKey(),
            r.sourceKeyVersion()));
  }

  Reply batch(Call call) {
    BatchRequest req = call.body(BatchRequest.class);
    List<BatchItem> items = req.items();
    if (items == null || items.isEmpty() || items.size() > CryptoService.MAX_BATCH) {
      throw KmsException.invalidArgument("items must hold 1 to 1000 entries");
    }
    // Items that do not parse fail on their own; the rest run as one batch, results in order.
    List<io.strongroom.core.service.BatchItem> parsed = new ArrayList<>();
    KmsException[] parseErrors = new KmsException[items.size()];
    for (int i = 0; i < items.size(); i++) {
      try {
        parsed.add(parse(items.get(i)));
      } catch (KmsException e) {
        parseErrors[i] = e;
      }
    }
    List<BatchOutcome> outcomes =
        parsed.isEmpty() ? List.of() : crypto.batch(call.caller(), call.tenant(), parsed);
    List<BatchResult> results = new ArrayList<>(items.size());
    int next = 0;
    for (int i = 0; i < items.size(); i++) {
      BatchItem item = items.get(i);
      String op = auditOp(item);
      if (parseErrors[i] != null) {
        call.auditItem(op, item == null ? null : item.key(), null, null, parseErrors[i]);
        results.add(error(parseErrors[i], call));
        continue;
      }
      BatchOutcome o = outcomes.get(next++);
      if (o.error() != null) {
        KmsException e = o.error();
        call.auditItem(
            op, e.keyName() != null ? e.keyName() : item.key(), e.keyVersion(), item.context(), e);
        results.add(error(o.error(), call));
        continue;
      }
      BatchResult r =
          switch (o.result()) {
            case Encrypted e ->
                new BatchResult(
                    Codec.base64(e.ciphertext()), null, e.key(), e.keyVersion(), null, null, null);
            case DataKey d ->
                new BatchResult(
                    Codec.base64(d.ciphertext()),
                    Codec.base64(d.plaintext()),
                    d.key(),
                    d.keyVersion(),
                    null,
                    null,
                    null);
            case Decrypted d ->
                new BatchResult(
                    null, Codec.base64(d.plaintext()), d.key(), d.keyVersion(), null, null, null);
            case ReEncrypted re ->
                new BatchResult(
                    Codec.base64(re.ciphertext()),
                    null,
                    re.key(),
                    re.keyVersion(),
                    re.sourceKey(),
                    re.sourceKeyVersion(),
                    null);
            default -> throw new IllegalStateException("unexpected batch result");
          };
      call.auditItem(op, r.key(), r.keyVersion(), item.context(), null);
      results.add(r);
    }
    return Reply.ok(new BatchResponse(results));
  }

  private static BatchResult error(KmsException e, Call call) {
    return new BatchResult(
        null,
        null,
        null,
        null,
        null,
        null,
        new ErrorResponse.Detail(e.code().name(), e.getMessage(), call.requestId));
  }

  /** The item's operation for the audit record: one of the four, or {@code unknown}. */
  private static String auditOp(BatchItem item) {
    String op = item == null ? null : item.op();
    return switch (op == null ? "" : op) {
      case "encrypt", "generate-data-key", "decrypt", "re-encrypt" -> op;
      default -> "unknown";
    };
  }

  private static io.strongroom.core.service.BatchItem parse(BatchItem item) {
    if (item == null || item.op() == null) {
      throw KmsException.invalidArgument(
          "op is required: encrypt, decrypt, generate-data-key or re-encrypt");
    }
    return switch (item.op()) {
      case "encrypt" ->
          new io.strongroom.core.service.BatchItem.Encrypt(
              item.key(), Codec.base64("plaintext", item.plaintext()), item.context());
      case "generate-data-key" ->
          new io.strongroom.core.service.BatchItem.GenerateDataKey(
              item.key(),
              item.bytes(),
              item.context(),
              item.includePlaintext() == null || item.includePlaintext());
      case "decrypt" ->
          new io.strongroom.core.service.BatchItem.Decrypt(
              Codec.base64("ciphertext", item.ciphertext()), item.context());
      case "re-encrypt" ->
          new io.strongroom.core.service.BatchItem.ReEncrypt(
              Codec.base64("ciphertext", item.ciphertext()),
              item.context(),
              item.destinationKey(),
              item.destinationContext());
      default ->
          throw KmsException.invalidArgument(
              "unknown op '"
                  + item.op()
                  + "'; allowed: encrypt, decrypt, generate-data-key, re-encrypt");
    };
  }
}
