/**
 * Assembly of one appliance from a validated {@link io.wirekv.dataplane.server.ServerConfig}:
 * the table, the rings, and the agents on their threads, started and stopped in order.
 */
package io.wirekv.dataplane.server;
