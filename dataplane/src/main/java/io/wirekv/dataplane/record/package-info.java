/**
 * The write record: a write parsed once by the reader thread that received it, in the binary form
 * that travels to the partition's writer (and, in later stages, into the log and to a backup), and the
 * writer's binary reply. Flyweights over bytes; nothing here allocates per record. Each encoder and
 * decoder is used by one thread; the ring between them provides the ordering (Agrona's commit is a
 * release, its read an acquire).
 */
package io.wirekv.dataplane.record;
