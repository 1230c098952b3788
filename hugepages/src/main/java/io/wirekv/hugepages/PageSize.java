package io.wirekv.hugepages;

import io.wirekv.nativebindings.libc.Mman;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The page sizes a region can ask for on x86_64 and aarch64 (4 KiB base pages).
 */
public enum PageSize
{
    /** Ordinary pages (transparent hugepages may still back them, opportunistically). */
    BASE_4K(4096L, 0),
    /** 2 MiB hugetlb pages: the usual choice; reserve with {@code /proc/sys/vm/nr_hugepages}. */
    HUGE_2M(2L << 20, Mman.MAP_HUGE_2MB),
    /** 1 GiB hugetlb pages: reserve at boot ({@code hugepagesz=1G hugepages=N}) or via sysfs. */
    HUGE_1G(1L << 30, Mman.MAP_HUGE_1GB);

    private final long bytes;
    private final int mmapFlags;

    PageSize(final long bytes, final int mmapFlags)
    {
        this.bytes = bytes;
        this.mmapFlags = mmapFlags;
    }

    /**
     * @return the page size in bytes.
     */
    public long bytes()
    {
        return bytes;
    }

    /**
     * @return the {@code MAP_HUGE_*} bits for mmap (0 for base pages).
     */
    int mmapFlags()
    {
        return mmapFlags;
    }

    /**
     * @return true for hugetlb page sizes.
     */
    public boolean isHuge()
    {
        return this != BASE_4K;
    }

    /**
     * @param sizeBytes a size.
     * @return the size rounded up to a whole number of pages.
     */
    public long roundUp(final long sizeBytes)
    {
        return (sizeBytes + bytes - 1) & -bytes;
    }

    /**
     * @return the sysfs directory of this hugepage size, e.g. {@code /sys/kernel/mm/hugepages/hugepages-2048kB}.
     */
    public Path sysfsDirectory()
    {
        return Path.of("/sys/kernel/mm/hugepages/hugepages-" + (bytes >> 10) + "kB");
    }

    /**
     * @return hugepages of this size free now (0 for base pages, or when sysfs cannot be read).
     */
    public long freePages()
    {
        return readSysfs("free_hugepages");
    }

    /**
     * @return hugepages of this size reserved in the pool (0 for base pages, or when sysfs cannot be read).
     */
    public long reservedPages()
    {
        return readSysfs("nr_hugepages");
    }

    /**
     * @return a human-readable size, e.g. {@code "2MiB"}.
     */
    public String label()
    {
        return switch (this)
        {
            case BASE_4K -> "4KiB";
            case HUGE_2M -> "2MiB";
            case HUGE_1G -> "1GiB";
        };
    }

    private long readSysfs(final String file)
    {
        if (!isHuge())
        {
            return 0;
        }
        try
        {
            return Long.parseLong(Files.readString(sysfsDirectory().resolve(file)).trim());
        }
        catch (final IOException | RuntimeException ex)
        {
            return 0;
        }
    }
}
