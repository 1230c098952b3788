package io.wirekv.controlplane.cnc;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.RuntimeMXBean;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * This JVM's metrics under the names the Prometheus Java client (client_java's hotspot and process
 * collectors) uses, so that the usual JVM dashboards work unchanged: heap and non-heap memory, GC
 * collections and seconds per collector, threads, CPU time, open files, start time. The exporter runs
 * inside {@code wirekv serve}, so this is the server's JVM; read from the platform MXBeans at each scrape.
 */
final class JvmMetrics
{
    private JvmMetrics()
    {
    }

    static void render(final StringBuilder sb)
    {
        final RuntimeMXBean runtime = ManagementFactory.getRuntimeMXBean();
        PrometheusText.header(sb, "jvm_info", "The JVM's version, vendor and runtime", "gauge");
        sb.append("jvm_info");
        final Map<String, String> info = new LinkedHashMap<>();
        info.put("version", System.getProperty("java.runtime.version", runtime.getVmVersion()));
        info.put("vendor", runtime.getVmVendor());
        info.put("runtime", System.getProperty("java.runtime.name", "unknown"));
        PrometheusText.labels(sb, info);
        sb.append(" 1\n");

        final MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        final MemoryUsage nonHeap = ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage();
        PrometheusText.header(sb, "jvm_memory_used_bytes", "Used bytes of a JVM memory area", "gauge");
        sb.append("jvm_memory_used_bytes{area=\"heap\"} ").append(heap.getUsed()).append('\n');
        sb.append("jvm_memory_used_bytes{area=\"nonheap\"} ").append(nonHeap.getUsed()).append('\n');
        PrometheusText.header(sb, "jvm_memory_committed_bytes", "Committed bytes of a JVM memory area", "gauge");
        sb.append("jvm_memory_committed_bytes{area=\"heap\"} ").append(heap.getCommitted()).append('\n');
        sb.append("jvm_memory_committed_bytes{area=\"nonheap\"} ").append(nonHeap.getCommitted()).append('\n');
        PrometheusText.header(sb, "jvm_memory_max_bytes", "Max bytes of a JVM memory area (-1 when unbounded)", "gauge");
        sb.append("jvm_memory_max_bytes{area=\"heap\"} ").append(heap.getMax()).append('\n');
        sb.append("jvm_memory_max_bytes{area=\"nonheap\"} ").append(nonHeap.getMax()).append('\n');

        PrometheusText.header(sb, "jvm_gc_collection_seconds", "Time spent in a given JVM garbage collector, seconds",
            "summary");
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            final Map<String, String> labels = Map.of("gc", gc.getName());
            sb.append("jvm_gc_collection_seconds_count");
            PrometheusText.labels(sb, labels);
            sb.append(' ').append(Math.max(0, gc.getCollectionCount())).append('\n');
            sb.append("jvm_gc_collection_seconds_sum");
            PrometheusText.labels(sb, labels);
            sb.append(' ').append(Math.max(0, gc.getCollectionTime()) / 1000.0).append('\n');
        }

        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        PrometheusText.header(sb, "jvm_threads_current", "Current thread count of the JVM", "gauge");
        sb.append("jvm_threads_current ").append(threads.getThreadCount()).append('\n');
        PrometheusText.header(sb, "jvm_threads_daemon", "Daemon thread count of the JVM", "gauge");
        sb.append("jvm_threads_daemon ").append(threads.getDaemonThreadCount()).append('\n');
        PrometheusText.header(sb, "jvm_threads_peak", "Peak thread count of the JVM", "gauge");
        sb.append("jvm_threads_peak ").append(threads.getPeakThreadCount()).append('\n');

        final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sunOs)
        {
            PrometheusText.header(sb, "process_cpu_seconds_total", "Total user and system CPU time spent, seconds",
                "counter");
            sb.append("process_cpu_seconds_total ").append(Math.max(0, sunOs.getProcessCpuTime()) / 1e9).append('\n');
        }
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix)
        {
            PrometheusText.header(sb, "process_open_fds", "Number of open file descriptors", "gauge");
            sb.append("process_open_fds ").append(unix.getOpenFileDescriptorCount()).append('\n');
            PrometheusText.header(sb, "process_max_fds", "Maximum number of open file descriptors", "gauge");
            sb.append("process_max_fds ").append(unix.getMaxFileDescriptorCount()).append('\n');
        }
        PrometheusText.header(sb, "process_start_time_seconds", "Start time of the process since the Unix epoch, seconds",
            "gauge");
        sb.append("process_start_time_seconds ").append(runtime.getStartTime() / 1000.0).append('\n');
    }
}
