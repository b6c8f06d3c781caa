package io.strongroom.server.http;

import io.strongroom.api.KeyMessages.CreateKeyRequest;
import io.strongroom.api.KeyMessages.KeyList;
import io.strongroom.api.KeyMessages.KeyResponse;
import io.strongroom.api.KeyMessages.ScheduleDestroyRequest;
import io.strongroom.api.KeyMessages.UpdateKeyRequest;
import io.strongroom.api.KeyMessages.VersionList;
import io.strongroom.api.KeyMessages.VersionResponse;
import io.strongroom.core.Key;
import io.strongroom.core.KeyPatch;
import io.strongroom.core.KeyRing;
import io.strongroom.core.KeyVersion;
import io.strongroom.core.KmsException;
import io.strongroom.core.Page;
import io.strongroom.core.ProtectionLevel;
import io.strongroom.core.service.KeyService;
import io.strongroom.core.service.NewKey;
import java.time.Duration;

/** Keys and versions: create, read, list, update, lifecycle. */
final class KeyHandlers {
  private static final int DEFAULT_PENDING_DAYS = 30;

  private final KeyService keys;

  KeyHandlers(KeyService keys) {
    this.keys = keys;
  }

  Reply create(Call call) {
    CreateKeyRequest req = call.body(CreateKeyRequest.class);
    if (req.name() == null) {
      throw KmsException.invalidArgument("name is required");
    }
    if (req.protection() == null) {
      throw KmsException.invalidArgument("protection is required: SOFTWARE, HSM or EXTERNAL");
    }
    call.audit(req.name(), null, null);
    Duration period = Codec.duration("rotationPeriod", req.rotationPeriod());
    if (period != null) {
      Key.checkRotationPeriod(period);
    }
    KeyRing ring =
        keys.create(
            call.caller(),
            call.tenant(),
            new NewKey(
                req.name(),
                ProtectionLevel.parse(req.protection()),
                period,
                Key.checkDescription(req.description()),
                Key.checkLabels(req.labels())));
    call.audit(null, ring.key().primaryVersion(), null);
    return Reply.created(key(ring.key()), ring.key().revision());
  }

  Reply get(Call call) {
    return keyReply(keys.get(call.caller(), call.tenant(), keyName(call)));
  }

  Reply list(Call call) {
    Page<Key> page =
        keys.list(call.caller(), call.tenant(), call.queryInt("pageSize"), call.query("pageToken"));
    return Reply.ok(
        new KeyList(page.items().stream().map(KeyHandlers::key).toList(), page.nextPageToken()));
  }

  Reply update(Call call) {
    UpdateKeyRequest req = call.body(UpdateKeyRequest.class);
    boolean clear = "none".equals(req.rotationPeriod());
    KeyPatch patch =
        new KeyPatch(
            clear ? null : Codec.duration("rotationPeriod", req.rotationPeriod()),
            clear,
            req.description(),
            req.labels(),
            req.minEncryptVersion(),
            req.minDecryptVersion());
    return keyReply(
        keys.update(call.caller(), call.tenant(), keyName(call), call.ifMatch(), patch));
  }

  Reply enable(Call call) {
    return keyReply(keys.enable(call.caller(), call.tenant(), keyName(call), call.ifMatch()));
  }

  Reply disable(Call call) {
    return keyReply(keys.disable(call.caller(), call.tenant(), keyName(call), call.ifMatch()));
  }

  Reply rotate(Call call) {
    KeyRing ring = keys.rotate(call.caller(), call.tenant(), keyName(call), call.ifMatch());
    call.audit(null, ring.key().primaryVersion(), null);
    return keyReply(ring);
  }

  Reply scheduleDestroy(Call call) {
    return keyReply(
        keys.scheduleDestroy(
            call.caller(), call.tenant(), keyName(call), call.ifMatch(), pendingDays(call)));
  }

  Reply cancelDestroy(Call call) {
    return keyReply(
        keys.cancelDestroy(call.caller(), call.tenant(), keyName(call), call.ifMatch()));
  }

  Reply listVersions(Call call) {
    KeyRing ring = keys.get(call.caller(), call.tenant(), keyName(call));
    return Reply.ok(
        new VersionList(ring.versions().stream().map(v -> version(ring.key(), v)).toList()));
  }

  Reply getVersion(Call call) {
    int v = version(call);
    KeyRing ring = keys.get(call.caller(), call.tenant(), keyName(call));
    KeyVersion kv =
        ring.version(v)
            .orElseThrow(
                () -> KmsException.notFound("key '" + ring.key().name() + "' has no version " + v));
    return Reply.ok(version(ring.key(), kv));
  }

  Reply enableVersion(Call call) {
    int v = version(call);
    return versionReply(
        v, keys.enableVersion(call.caller(), call.tenant(), keyName(call), v, call.ifMatch()));
  }

  Reply disableVersion(Call call) {
    int v = version(call);
    return versionReply(
        v, keys.disableVersion(call.caller(), call.tenant(), keyName(call), v, call.ifMatch()));
  }

  Reply makePrimary(Call call) {
    int v = version(call);
    return versionReply(
        v, keys.makePrimary(call.caller(), call.tenant(), keyName(call), v, call.ifMatch()));
  }

  Reply scheduleDestroyVersion(Call call) {
    int v = version(call);
    return versionReply(
        v,
        keys.scheduleDestroyVersion(
            call.caller(), call.tenant(), keyName(call), v, call.ifMatch(), pendingDays(call)));
  }

  Reply cancelDestroyVersion(Call call) {
    int v = version(call);
    return versionReply(
        v,
        keys.cancelDestroyVersion(call.caller(), call.tenant(), keyName(call), v, call.ifMatch()));
  }

  private static String keyName(Call call) {
    String name = call.path("key");
    call.audit(name, null, null);
    return name;
  }

  private static int version(Call call) {
    int v = Codec.version(call.path("version"));
    call.audit(null, v, null);
    return v;
  }

  private static int pendingDays(Call call) {
    ScheduleDestroyRequest req = call.optionalBody(ScheduleDestroyRequest.class);
    return req == null || req.pendingDays() == null ? DEFAULT_PENDING_DAYS : req.pendingDays();
  }

  private static Reply keyReply(KeyRing ring) {
    return Reply.ok(key(ring.key()), ring.key().revision());
  }

  private static Reply versionReply(int v, KeyRing ring) {
    return Reply.ok(version(ring.key(), ring.version(v).orElseThrow()), ring.key().revision());
  }

  static KeyResponse key(Key k) {
    return new KeyResponse(
        k.tenant(),
        k.name(),
        k.id(),
        k.protection().name(),
        k.state().name(),
        Codec.duration(k.rotationPeriod()),
        Codec.time(k.nextRotationAt()),
        k.description(),
        k.labels(),
        k.primaryVersion(),
        k.latestVersion(),
        k.minEncryptVersion(),
        k.minDecryptVersion(),
        Codec.time(k.destroyAt()),
        k.revision(),
        Codec.time(k.createdAt()),
        Codec.time(k.updatedAt()));
  }

  private static VersionResponse version(Key k, KeyVersion v) {
    return new VersionResponse(
        k.name(),
        v.number(),
        v.state().name(),
        v.protection().name(),
        v.number() == k.primaryVersion(),
        Codec.time(v.createdAt()),
        Codec.time(v.destroyAt()));
  }
}
