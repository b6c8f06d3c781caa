package io.strongroom.core.service;

import io.strongroom.core.Caller;
import io.strongroom.core.Page;
import io.strongroom.core.Role;
import io.strongroom.core.Tenant;
import io.strongroom.core.audit.AuditChain;
import io.strongroom.core.audit.AuditLog;
import io.strongroom.core.audit.AuditRecord;
import java.util.List;

/** Reading and verifying the audit log. */
public final class AuditService {
  private final AuditLog log;
  private final AuditChain chain;

  public AuditService(AuditLog log, AuditChain chain) {
    this.log = log;
    this.chain = chain;
  }

  /**
   * Records of one tenant, oldest first.
   *
   * @throws io.strongroom.core.KmsException NOT_FOUND (foreign tenant), PERMISSION_DENIED
   */
  public Page<AuditRecord> list(Caller caller, String tenant, Integer pageSize, String pageToken) {
    if (!caller.has(Role.PLATFORM_ADMIN)) {
      Access.require(
          caller,
          tenant,
          Access.tenantMissing(tenant),
          "list-audit",
          Role.AUDITOR,
          Role.TENANT_ADMIN);
    }
    int size = PageTokens.pageSize(pageSize);
    List<AuditRecord> fetched = log.list(tenant, PageTokens.decodeSeq(pageToken), size + 1);
    if (fetched.size() > size || fetched.isEmpty()) {
      return PageTokens.page(fetched, size, r -> Long.toString(r.seq()));
    }
    // A short page is the end of the log, or a page the store cut for its size (AuditLog#list).
    long last = fetched.get(fetched.size() - 1).seq();
    boolean more = !log.list(tenant, last, 1).isEmpty();
    return new Page<>(fetched, more ? PageTokens.encode(Long.toString(last)) : null);
  }

  /**
   * Verifies the whole chain.
   *
   * @throws io.strongroom.core.KmsException PERMISSION_DENIED unless a platform admin or an auditor
   *     of the system tenant
   */
  public AuditChain.Verification verify(Caller caller) {
    boolean systemAuditor = caller.tenant().equals(Tenant.SYSTEM) && caller.has(Role.AUDITOR);
    if (!systemAuditor) {
      Access.requireRole(caller, "verify-audit", Role.PLATFORM_ADMIN);
    }
    return chain.verify(log, 5000);
  }
}
