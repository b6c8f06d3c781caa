package io.strongroom.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.strongroom.core.Caller;
import io.strongroom.core.Page;
import io.strongroom.core.Role;
import io.strongroom.core.Tenant;
import io.strongroom.core.audit.AuditChain;
import io.strongroom.core.audit.AuditEvent;
import io.strongroom.core.audit.AuditLog;
import io.strongroom.core.audit.AuditRecord;
import io.strongroom.core.testing.InMemoryStores;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A store may cut a page of audit records short (large batch records, AuditLog#list); the service
 * still hands out a next-page token until the log's end, and only there none.
 */
class AuditServicePagingTest {
  private final AuditChain chain = new AuditChain(new byte[32]);
  private final AuditLog memory = InMemoryStores.create(chain).audit();

  /** The in-memory log, returning at most two records per call, as a size cut would. */
  private final AuditLog cutting =
      new AuditLog() {
        @Override
        public CompletableFuture<Void> append(List<AuditEvent> events) {
          return memory.append(events);
        }

        @Override
        public List<AuditRecord> list(String tenant, long afterSeq, int limit) {
          List<AuditRecord> all = memory.list(tenant, afterSeq, limit);
          return all.subList(0, Math.min(2, all.size()));
        }

        @Override
        public List<AuditRecord> scan(long afterSeq, int limit) {
          List<AuditRecord> all = memory.scan(afterSeq, limit);
          return all.subList(0, Math.min(2, all.size()));
        }

        @Override
        public Optional<Head> head() {
          return memory.head();
        }
      };

  private final Caller admin = new Caller(Tenant.SYSTEM, "admin", Set.of(Role.PLATFORM_ADMIN));

  @Test
  void shortPagesCarryATokenUntilTheEnd() {
    for (int n = 1; n <= 5; n++) {
      memory
          .append(
              List.of(
                  new AuditEvent(
                      Instant.parse("2026-06-01T12:00:00Z").plusSeconds(n),
                      "req-" + n,
                      "acme",
                      "acme/app",
                      "decrypt",
                      "orders",
                      1,
                      null,
                      "OK",
                      null,
                      "10.0.0.1")))
          .join();
    }
    AuditService service = new AuditService(cutting, chain);
    List<Long> seen = new ArrayList<>();
    List<Boolean> tokens = new ArrayList<>();
    String token = null;
    do {
      Page<AuditRecord> page = service.list(admin, "acme", 5, token);
      page.items().forEach(r -> seen.add(r.seq()));
      token = page.nextPageToken();
      tokens.add(token != null);
    } while (token != null);
    assertThat(seen).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(tokens).containsExactly(true, true, false);
    assertThat(chain.verify(cutting, 5000).ok()).isTrue();

    // a full page of the uncut log: the usual look-ahead decides
    Page<AuditRecord> all = new AuditService(memory, chain).list(admin, "acme", 5, null);
    assertThat(all.items()).hasSize(5);
    assertThat(all.nextPageToken()).isNull();
  }
}
