/**
 * Configuration of {@code wirekv serve}: the file format ({@link io.wirekv.controlplane.config.ConfigLoader}),
 * the keys and their defaults ({@link io.wirekv.controlplane.config.ConfigKey}, defaults read from
 * {@code ServerConfig.defaults()}), and the validation that turns defaults + file + flags into a
 * {@code ServerConfig} before any thread starts ({@link io.wirekv.controlplane.config.ConfigValidator}).
 */
package io.wirekv.controlplane.config;
