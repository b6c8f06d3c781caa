package io.strongroom.server.http;

import io.strongroom.api.AuditMessages.AuditItemResponse;
import io.strongroom.api.AuditMessages.AuditList;
import io.strongroom.api.AuditMessages.AuditRecordResponse;
import io.strongroom.api.AuditMessages.VerifyResponse;
import io.strongroom.core.Page;
import io.strongroom.core.audit.AuditChain;
import io.strongroom.core.audit.AuditEvent;
import io.strongroom.core.audit.AuditRecord;
import io.strongroom.core.service.AuditService;

/** Audit query and chain verification. */
final class AuditHandlers {
  private final AuditService audit;

  AuditHandlers(AuditService audit) {
    this.audit = audit;
  }

  Reply list(Call call) {
    Page<AuditRecord> page =
        audit.list(
            call.caller(), call.tenant(), call.queryInt("pageSize"), call.query("pageToken"));
    return Reply.ok(
        new AuditList(
            page.items().stream().map(AuditHandlers::record).toList(), page.nextPageToken()));
  }

  Reply verify(Call call) {
    AuditChain.Verification v = audit.verify(call.caller());
    return Reply.ok(new VerifyResponse(v.ok(), v.records(), v.firstBadSeq(), v.reason()));
  }

  private static AuditRecordResponse record(AuditRecord r) {
    AuditEvent e = r.event();
    return new AuditRecordResponse(
        r.seq(),
        Codec.time(e.time()),
        e.requestId(),
        e.tenant(),
        e.principal(),
        e.operation(),
        e.key(),
        e.keyVersion(),
        e.context(),
        e.outcome(),
        e.errorCode(),
        e.source(),
        e.items() == null
            ? null
            : e.items().stream()
                .map(
                    i ->
                        new AuditItemResponse(
                            i.operation(),
                            i.key(),
                            i.keyVersion(),
                            i.context(),
                            i.outcome(),
                            i.errorCode()))
                .toList());
  }
}
