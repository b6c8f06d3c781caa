/**
 * The Java client of Strongroom: {@link io.strongroom.client.StrongroomClient} (every REST
 * operation, synchronous and asynchronous, typed exceptions, retries where safe) and its result,
 * exception and policy types. Envelope encryption with a data-key cache is in {@code
 * io.strongroom.client.envelope}. The SDK depends only on the wire contract ({@code kms-api}),
 * Jackson and Tink; transport is the JDK's {@link java.net.http.HttpClient}.
 */
package io.strongroom.client;
