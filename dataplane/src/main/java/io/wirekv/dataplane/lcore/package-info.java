/**
 * lcores: pinned platform threads, each owning one queue of a port and running the duty cycle of
 * {@link io.wirekv.dataplane.lcore.UdpLcoreAgent} under an Agrona {@code AgentRunner}.
 * <p>
 * Rules on an lcore's hot path: no allocation, no lock, no logging, no exception; everything that
 * goes wrong is counted. Buffer ownership is never ambiguous: a datagram's slot is either free,
 * being received into, parked while its write is with a writer, or waiting for its reply to be
 * sent, and it goes back to the free list exactly once, after {@code sendmmsg} has copied it.
 * QSBR: the lcore reports quiescence at the end of every duty cycle, when it holds no item view.
 */
package io.wirekv.dataplane.lcore;
