package io.strongroom.core.service;

import io.strongroom.core.ProtectionLevel;
import java.time.Duration;
import java.util.Map;

/** A create-key request. {@code rotationPeriod} null means rotation on demand only. */
public record NewKey(
    String name,
    ProtectionLevel protection,
    Duration rotationPeriod,
    String description,
    Map<String, String> labels) {}
