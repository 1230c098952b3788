/**
 * The {@code wirekv} command line (picocli). User errors become one line on stderr and a
 * non-zero exit code: 1 for failures, 2 for bad usage.
 */
package io.wirekv.controlplane.cli;
