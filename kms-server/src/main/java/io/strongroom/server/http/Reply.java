package io.strongroom.server.http;

/**
 * What a handler answers: a status, a body to serialize as JSON (or null for none), and an optional
 * revision for the {@code ETag} header. A body that is a Vert.x {@code Buffer} is JSON already: the
 * server serializes a worker's reply on the worker.
 */
public record Reply(int status, Object body, Long revision) {
  public static Reply ok(Object body) {
    return new Reply(200, body, null);
  }

  public static Reply ok(Object body, long revision) {
    return new Reply(200, body, revision);
  }

  public static Reply created(Object body) {
    return new Reply(201, body, null);
  }

  public static Reply created(Object body, long revision) {
    return new Reply(201, body, revision);
  }

  public static Reply noContent() {
    return new Reply(204, null, null);
  }
}
