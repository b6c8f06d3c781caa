package io.strongroom.core;

import java.util.List;

/**
 * One page of a listing.
 *
 * @param items the items, in listing order
 * @param nextPageToken opaque token for the next page, or null when this is the last
 */
public record Page<T>(List<T> items, String nextPageToken) {
  public Page {
    items = List.copyOf(items);
  }
}
