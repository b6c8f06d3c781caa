package io.strongroom.core.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/** A test clock that only moves when told to. Thread-safe. */
public final class MutableClock extends Clock {
  private final AtomicReference<Instant> now;
  private final ZoneId zone;

  public MutableClock(Instant start) {
    this(new AtomicReference<>(start), ZoneOffset.UTC);
  }

  private MutableClock(AtomicReference<Instant> now, ZoneId zone) {
    this.now = now;
    this.zone = zone;
  }

  /** A clock at 2026-01-01T00:00:00Z. */
  public static MutableClock atDefaultStart() {
    return new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  }

  /** Moves the clock forward (or backward, for a negative amount) and returns the new time. */
  public Instant advance(Duration d) {
    return now.updateAndGet(t -> t.plus(d));
  }

  public void set(Instant t) {
    now.set(t);
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  /** A view with another zone over the same mutable instant. */
  @Override
  public Clock withZone(ZoneId z) {
    return new MutableClock(now, z);
  }
}
