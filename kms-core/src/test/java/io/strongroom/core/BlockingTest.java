package io.strongroom.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.strongroom.core.audit.AuditChain;
import io.strongroom.core.service.KeyRingCache;
import io.strongroom.core.store.Stores;
import io.strongroom.core.testing.InMemoryStores;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BlockingTest {
  @Test
  void checkThrowsOnlyInsideForbid() throws Exception {
    Blocking.check();
    assertThat(Blocking.forbidden()).isFalse();
    assertThatThrownBy(
            () ->
                Blocking.forbid(
                    () -> {
                      Blocking.check();
                      return "unreachable";
                    }))
        .isInstanceOf(Blocking.WouldBlock.class)
        .hasNoCause();
    assertThat(Blocking.forbidden()).isFalse();
    Blocking.check();
  }

  @Test
  void nestedForbidRestoresTheOuterState() throws Exception {
    Blocking.forbid(
        () -> {
          Blocking.forbid(() -> null);
          assertThat(Blocking.forbidden()).isTrue();
          return null;
        });
    assertThat(Blocking.forbidden()).isFalse();
  }

  @Test
  void stateIsRestoredWhenTheWorkFails() {
    assertThatThrownBy(
            () ->
                Blocking.forbid(
                    () -> {
                      throw new IllegalStateException("boom");
                    }))
        .isInstanceOf(IllegalStateException.class);
    assertThat(Blocking.forbidden()).isFalse();
  }

  @Test
  void cacheGetNeverLoadsInsideForbid() throws Exception {
    Cache<String, String> cache = Caffeine.newBuilder().build();
    AtomicInteger loads = new AtomicInteger();
    assertThatThrownBy(
            () ->
                Blocking.forbid(() -> Blocking.get(cache, "k", k -> "v" + loads.incrementAndGet())))
        .isInstanceOf(Blocking.WouldBlock.class);
    assertThat(loads).hasValue(0);
    assertThat(Blocking.get(cache, "k", k -> "v" + loads.incrementAndGet())).isEqualTo("v1");
    assertThat(Blocking.forbid(() -> Blocking.get(cache, "k", k -> "never"))).isEqualTo("v1");
    assertThat(loads).hasValue(1);
  }

  @Test
  void keyRingCacheMissDoesNotReachTheStoreInsideForbid() {
    Stores stores = InMemoryStores.create(new AuditChain(new byte[32]));
    KeyRingCache cache = new KeyRingCache(stores.keys(), Duration.ofMinutes(1), 10);
    assertThatThrownBy(() -> Blocking.forbid(() -> cache.byName("t", "k")))
        .isInstanceOf(Blocking.WouldBlock.class);
    assertThat(cache.byNameCache().estimatedSize()).isZero();
    assertThat(cache.byName("t", "k")).isEmpty();
  }
}
