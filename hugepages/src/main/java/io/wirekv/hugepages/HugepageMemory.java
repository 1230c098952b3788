package io.wirekv.hugepages;

import io.wirekv.nativebindings.Errno;
import io.wirekv.nativebindings.NativeException;
import io.wirekv.nativebindings.libc.LibC;
import io.wirekv.nativebindings.libc.Mman;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Maps off-heap memory for the dataplane: hugetlb pages where they are reserved, locked in RAM where
 * the memlock limit allows, and accounted by purpose in a {@link MemoryAccounting}.
 * <p>
 * <b>Fallback.</b> When hugepages are asked for but none can be had, {@link #map} (with fallback
 * allowed) maps ordinary pages instead, advises transparent hugepages ({@code MADV_HUGEPAGE}), and
 * warns once per {@code HugepageMemory} with the commands that reserve hugepages. With fallback
 * not allowed it refuses with the same advice. Each region's {@link MemoryRegion#backing()} says
 * what it got, for the start-up report.
 * <p>
 * <b>Threading.</b> Thread-safe; mapping is a setup-time operation (it may fault in every page).
 */
public final class HugepageMemory
{
    private static final System.Logger LOGGER = System.getLogger(HugepageMemory.class.getName());
    private static final HugepageMemory GLOBAL = new HugepageMemory(
        MemoryAccounting.global(), message -> LOGGER.log(System.Logger.Level.WARNING, message));

    private final MemoryAccounting accounting;
    private final Consumer<String> warnings;
    private final AtomicBoolean fallbackWarned = new AtomicBoolean();
    private final AtomicBoolean lockWarned = new AtomicBoolean();

    /**
     * @param accounting where mapped bytes are counted.
     * @param warnings   receives operator-facing warnings (fallbacks, lock failures).
     */
    public HugepageMemory(final MemoryAccounting accounting, final Consumer<String> warnings)
    {
        this.accounting = Objects.requireNonNull(accounting);
        this.warnings = Objects.requireNonNull(warnings);
    }

    /**
     * @return the process-wide instance: {@link MemoryAccounting#global()}, warnings to {@link System.Logger}.
     */
    public static HugepageMemory global()
    {
        return GLOBAL;
    }

    /**
     * @return where this instance counts mapped bytes.
     */
    public MemoryAccounting accounting()
    {
        return accounting;
    }

    /**
     * Maps anonymous memory, locked, falling back to ordinary pages (with a one-time warning) when
     * the hugepages asked for are not available.
     *
     * @param purpose   what the memory is for, for accounting and reports, e.g. {@code "udp-buffers"}.
     * @param sizeBytes bytes needed; rounded up to whole pages.
     * @param pageSize  page size wanted.
     * @return the region; close it to unmap.
     */
    public MemoryRegion map(final String purpose, final long sizeBytes, final PageSize pageSize)
    {
        return map(purpose, sizeBytes, pageSize, true, true);
    }

    /**
     * Maps anonymous memory.
     *
     * @param purpose       what the memory is for, for accounting and reports.
     * @param sizeBytes     bytes needed; rounded up to whole pages.
     * @param pageSize      page size wanted.
     * @param lock          mlock the region (a failure is reported as a warning, not an error).
     * @param allowFallback map ordinary pages when the hugepages are not available; otherwise refuse.
     * @return the region; close it to unmap.
     * @throws NativeException when the memory cannot be mapped (or hugepages are missing and fallback is not allowed).
     */
    public MemoryRegion map(
        final String purpose, final long sizeBytes, final PageSize pageSize, final boolean lock, final boolean allowFallback)
    {
        if (sizeBytes <= 0)
        {
            throw new IllegalArgumentException("size must be positive, was " + sizeBytes);
        }
        final MemorySegment state = Errno.threadState();
        final int protection = Mman.PROT_READ | Mman.PROT_WRITE;
        if (pageSize.isHuge())
        {
            final long size = pageSize.roundUp(sizeBytes);
            final long address = Mman.mmap(state, size, protection,
                Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_HUGETLB | pageSize.mmapFlags() | Mman.MAP_POPULATE, -1, 0);
            if (address > 0)
            {
                return finish(purpose, address, size, pageSize, true, lock, "anonymous hugetlb " + pageSize.label() + " pages", null);
            }
            final int errno = (int)-address;
            final String call = "mmap(MAP_HUGETLB, " + size + " bytes of " + pageSize.label() + " pages for '" + purpose + "')";
            if (!allowFallback)
            {
                throw new NativeException(call, errno, reserveHint(pageSize, size));
            }
            if (fallbackWarned.compareAndSet(false, true))
            {
                warnings.accept("wirekv: no " + pageSize.label() + " hugepages for '" + purpose + "': " + call + " failed with " +
                    Errno.name(errno) + " (" + pageSize.freePages() + " of " + pageSize.reservedPages() + " " + pageSize.label() +
                    " pages free); falling back to ordinary pages with MADV_HUGEPAGE (transparent hugepages, not guaranteed; " +
                    "this warning is shown once). " + reserveHint(pageSize, size));
            }
        }

        // A fallback keeps 2 MiB granularity so transparent hugepages can back whole extents.
        final long size = (pageSize.isHuge() ? PageSize.HUGE_2M : PageSize.BASE_4K).roundUp(sizeBytes);
        final long address = Mman.mmap(state, size, protection, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
        if (address < 0)
        {
            throw new NativeException("mmap(" + size + " bytes for '" + purpose + "')", (int)-address,
                "not enough memory or address space: lower the configured memory budget");
        }
        String backing = "anonymous " + PageSize.BASE_4K.label() + " pages";
        if (size >= PageSize.HUGE_2M.bytes())
        {
            final int advised = Mman.madvise(state, MemorySegment.ofAddress(address), size, Mman.MADV_HUGEPAGE);
            backing += advised == 0 ? " + MADV_HUGEPAGE" : " (MADV_HUGEPAGE refused: " + Errno.name(-advised) + ")";
        }
        if (pageSize.isHuge())
        {
            backing += " (fallback: no " + pageSize.label() + " hugepages)";
        }
        return finish(purpose, address, size, PageSize.BASE_4K, false, lock, backing, null);
    }

    /**
     * Maps a file, shared, e.g. one on a hugetlbfs mount ({@code /dev/hugepages/wirekv-umem}) so
     * another process can map the same memory. The file is created if missing and deleted on close
     * if this call created it.
     *
     * @param purpose   what the memory is for.
     * @param file      the file; on hugetlbfs the region is hugepage-backed, elsewhere ordinary page cache.
     * @param sizeBytes bytes needed; rounded up to whole pages of the file system's page size.
     * @param lock      mlock the region.
     * @return the region; close it to unmap.
     * @throws NativeException when the file cannot be opened, sized or mapped.
     */
    public MemoryRegion mapFile(final String purpose, final Path file, final long sizeBytes, final boolean lock)
    {
        if (sizeBytes <= 0)
        {
            throw new IllegalArgumentException("size must be positive, was " + sizeBytes);
        }
        final PageSize hugetlbfsPageSize = hugetlbfsPageSize(file.toAbsolutePath());
        final PageSize pageSize = hugetlbfsPageSize != null ? hugetlbfsPageSize : PageSize.BASE_4K;
        final long size = pageSize.roundUp(sizeBytes);
        final MemorySegment state = Errno.threadState();
        final boolean created = !Files.exists(file);
        final String path = file.toAbsolutePath().toString();

        final int fd = NativeException.check(
            LibC.open(state, path, LibC.O_RDWR | LibC.O_CREAT | LibC.O_CLOEXEC, 0600), "open(" + path + ")",
            "check that the directory exists and is writable" +
            (hugetlbfsPageSize == null ? "" : " and that the hugetlbfs mount is accessible"));
        try
        {
            NativeException.check(LibC.ftruncate(state, fd, size), "ftruncate(" + path + ", " + size + ")",
                hugetlbfsPageSize != null ? reserveHint(pageSize, size) : "check free space on the file system");
            final long address = Mman.mmap(state, size, Mman.PROT_READ | Mman.PROT_WRITE,
                Mman.MAP_SHARED | (hugetlbfsPageSize != null ? Mman.MAP_POPULATE : 0), fd, 0);
            if (address < 0)
            {
                throw new NativeException("mmap(" + path + ", " + size + " bytes)", (int)-address,
                    hugetlbfsPageSize != null ? reserveHint(pageSize, size) : "check the file and free memory");
            }
            final String backing = (hugetlbfsPageSize != null ? "hugetlbfs " + pageSize.label() + " pages" : "shared file") +
                " " + path;
            return finish(purpose, address, size, pageSize, hugetlbfsPageSize != null, lock, backing, created ? file : null);
        }
        catch (final RuntimeException ex)
        {
            if (created)
            {
                LibC.unlink(state, path);
            }
            throw ex;
        }
        finally
        {
            // The mapping keeps the file's memory; the descriptor is no longer needed.
            LibC.close(state, fd);
        }
    }

    /**
     * The advice printed when hugepages are missing.
     *
     * @param pageSize  the hugepage size.
     * @param sizeBytes bytes wanted.
     * @return the commands that reserve enough pages and mount hugetlbfs.
     */
    public static String reserveHint(final PageSize pageSize, final long sizeBytes)
    {
        final long pages = (sizeBytes + pageSize.bytes() - 1) / pageSize.bytes();
        final long target = pageSize.reservedPages() + pages;
        final String reserve = pageSize == PageSize.HUGE_2M ?
            "echo " + target + " > /proc/sys/vm/nr_hugepages" :
            "echo " + target + " > " + pageSize.sysfsDirectory().resolve("nr_hugepages") +
            " (or boot with hugepagesz=1G hugepages=" + target + ")";
        return "To reserve " + pages + " more " + pageSize.label() + " hugepages, as root: " + reserve +
            "; for file-backed regions also: mkdir -p /dev/hugepages && mount -t hugetlbfs none /dev/hugepages" +
            " (deploy/ scripts do both)";
    }

    @SuppressWarnings("restricted")
    private MemoryRegion finish(
        final String purpose,
        final long address,
        final long size,
        final PageSize pageSize,
        final boolean hugepages,
        final boolean lock,
        final String backing,
        final Path deleteOnClose)
    {
        final MemorySegment state = Errno.threadState();
        boolean locked = false;
        String description = backing;
        if (lock)
        {
            final int result = Mman.mlock(state, MemorySegment.ofAddress(address), size);
            locked = result == 0;
            if (!locked)
            {
                final long limit = LibC.getrlimitSoft(state, LibC.RLIMIT_MEMLOCK);
                final String message = "wirekv: mlock(" + size + " bytes for '" + purpose + "') failed with " +
                    Errno.name(-result) + "; RLIMIT_MEMLOCK is " + (limit == LibC.RLIM_INFINITY ? "unlimited" : limit + " bytes") +
                    ". The memory works but may be swapped out: raise the limit (ulimit -l unlimited, or " +
                    "LimitMEMLOCK=infinity in the systemd unit) or grant CAP_IPC_LOCK.";
                description += ", NOT locked (" + Errno.name(-result) + ")";
                if (lockWarned.compareAndSet(false, true))
                {
                    warnings.accept(message);
                }
            }
            else
            {
                description += ", locked";
            }
        }

        final boolean wasLocked = locked;
        final MemoryAccounting accounting = this.accounting;
        final Arena arena = Arena.ofShared();
        final MemorySegment segment = MemorySegment.ofAddress(address).reinterpret(size, arena, ignored ->
        {
            // Runs once, when the region's arena closes; munmap also drops any mlock.
            Mman.munmap(Errno.threadState(), MemorySegment.ofAddress(address), size);
            if (deleteOnClose != null)
            {
                LibC.unlink(Errno.threadState(), deleteOnClose.toAbsolutePath().toString());
            }
            accounting.unmapped(purpose, size, hugepages, wasLocked);
        });
        accounting.mapped(purpose, size, hugepages, wasLocked);
        return new MemoryRegion(purpose, arena, segment, pageSize, hugepages, wasLocked, description);
    }

    /**
     * @param file an absolute path.
     * @return the page size of the hugetlbfs mount holding the file, or null when it is not on hugetlbfs.
     */
    static PageSize hugetlbfsPageSize(final Path file)
    {
        final List<String> mounts;
        try
        {
            mounts = Files.readAllLines(Path.of("/proc/mounts"));
        }
        catch (final IOException ex)
        {
            return null;
        }
        String bestMount = null;
        String bestType = null;
        String bestOptions = null;
        for (final String line : mounts)
        {
            final String[] fields = line.split(" ");
            if (fields.length < 4)
            {
                continue;
            }
            final String mountPoint = fields[1].replace("\\040", " ");
            if (file.startsWith(Path.of(mountPoint)) && (bestMount == null || mountPoint.length() > bestMount.length()))
            {
                bestMount = mountPoint;
                bestType = fields[2];
                bestOptions = fields[3];
            }
        }
        if (!"hugetlbfs".equals(bestType))
        {
            return null;
        }
        for (final String option : bestOptions.split(","))
        {
            if (option.startsWith("pagesize="))
            {
                final String value = option.substring("pagesize=".length()).toUpperCase(java.util.Locale.ROOT);
                return value.equals("1G") || value.equals("1024M") ? PageSize.HUGE_1G : PageSize.HUGE_2M;
            }
        }
        return PageSize.HUGE_2M;
    }
}
