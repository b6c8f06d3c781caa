package io.strongroom.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.strongroom.core.ErrorCode;
import io.strongroom.core.KmsException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Assertions on use-case failures. */
public final class KmsAssertions {
  private KmsAssertions() {}

  /**
   * Asserts that {@code call} throws a {@link KmsException} with {@code code}.
   *
   * @return the exception, for checks of its message
   */
  public static KmsException assertCode(ThrowingCallable call, ErrorCode code) {
    Throwable t = catchThrowable(call);
    assertThat(t).as("expected a KmsException %s", code).isInstanceOf(KmsException.class);
    KmsException e = (KmsException) t;
    assertThat(e.code()).as("code of the failure '%s'", e.getMessage()).isEqualTo(code);
    return e;
  }
}
