/**
 * RDMA verbs through libibverbs (rdma-core 44; Debian packages {@code libibverbs1}, headers in
 * {@code libibverbs-dev}, providers in {@code ibverbs-providers}), hand-written because jextract is not available:
 * the library loader ({@link io.wirekv.nativebindings.verbs.VerbsLibrary}), raw bindings
 * ({@link io.wirekv.nativebindings.verbs.LibIbverbs}), struct layouts
 * ({@link io.wirekv.nativebindings.verbs.VerbsLayouts}, checked against the installed header by a test), device
 * discovery ({@link io.wirekv.nativebindings.verbs.RdmaDevices}) and the work-request encoder
 * ({@link io.wirekv.nativebindings.verbs.SendWorkRequestEncoder}).
 * <p>
 * <b>What has run.</b> Loading the library, {@code ibv_get_device_list} (which answers "no device" on the machines
 * this was built on: no RDMA hardware, no RDMA kernel support), the layouts against the header, and the encoding of
 * work requests into memory. Nothing that needs an opened device (PD, MR, CQ, QP, post, poll) has executed.
 * <p>
 * <b>Threading.</b> Discovery and set-up calls from any one thread at a time; a QP's posts and its CQ's polls from
 * the one thread that owns them (the replication thread). {@code post_send} / {@code poll_cq} return codes and
 * never throw.
 */
package io.wirekv.nativebindings.verbs;
