#!/usr/bin/env bash
# What a group commit costs on this disk when its records sit in one file or in four (issue 13): the same ~4 KB of
# new records made durable per round, as one file's pwrite + fdatasync (Redis's AOF, one log per server) against
# four files of 1,000 bytes each (wirekv's default of 4 partitions, one log file each), the four synced one after
# another, from four threads at once (as wirekv's syncer does), or written back each with sync_file_range and then
# flushed by one fdatasync; for the next two rows, 1,000 B a round appended through a shared mapping and msync'd
# (as wirekv's log did) into a fallocated file and into one zero-filled with 1 MiB writes (whose page cache then holds
# large folios, each dirtied whole by a write through the mapping); and last, what wirekv's log does now: four files
# zero-filled 4 KiB at a time, 1,000 B each through their mappings, written back with sync_file_range (all started,
# then each waited for) and made durable by one fdatasync of an empty file. Files are pre-zeroed unless fallocated,
# on the work tree's disk (controlplane/target/, never tmpfs). A C probe compiled here with cc; prints each variant's round time (p50, p90,
# p99 of --rounds rounds) per run, the variants alternating within each run.
#   deploy/probe-sync-files.sh [--runs 2] [--rounds 1500] [--help]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs=2; rounds=1500
while (( $# )); do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    *) echo "probe-sync-files: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done
[[ "${runs}" =~ ^[1-9][0-9]*$ && "${rounds}" =~ ^[1-9][0-9]*$ ]] ||
  { echo "probe-sync-files: --runs and --rounds take positive integers" >&2; exit 2; }
command -v cc >/dev/null || { echo "probe-sync-files: needs a C compiler: apt-get install gcc" >&2; exit 1; }
mkdir -p "${root}/controlplane/target"
work="$(mktemp -d -p "${root}/controlplane/target" probe-sync-files.XXXXXX)"
trap 'rm -rf "${work}"' EXIT
[[ "$(df --output=fstype "${work}" | tail -1)" != tmpfs ]] ||
  { echo "probe-sync-files: ${work} is on tmpfs, where fsync proves nothing" >&2; exit 1; }

cat > "${work}/probe.c" <<'EOF'
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define FILES 4
#define FILE_BYTES (8L << 20)
static int fd[FILES];
static long end[FILES];
static char record[4096];

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static int by_value(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }

static void append(int i, int bytes) { if (pwrite(fd[i], record, bytes, end[i]) != bytes) { perror("pwrite"); exit(1); } }
static void *append_and_sync(void *arg) { long i = (long)arg; append(i, 1000); fdatasync(fd[i]); end[i] += 1000; return NULL; }

static void open_files(const char *dir, int fallocated, long chunk)
{
    char *zeros = calloc(1, 1 << 20);
    for (int i = 0; i < FILES; i++)
    {
        char path[4096];
        snprintf(path, sizeof path, "%s/f%d", dir, i);
        unlink(path);
        fd[i] = open(path, O_RDWR | O_CREAT, 0644);
        if (fd[i] < 0) { perror(path); exit(1); }
        if (fallocated) { if (fallocate(fd[i], 0, 0, FILE_BYTES)) { perror("fallocate"); exit(1); } }
        else for (long at = 0; at < FILE_BYTES; at += chunk) if (write(fd[i], zeros, chunk) != chunk) { perror("write"); exit(1); }
        fsync(fd[i]);
        end[i] = 0;
    }
    free(zeros);
}

int main(int argc, char **argv)
{
    const char *dir = argv[1];
    const int variant = atoi(argv[2]);
    const int rounds = atoi(argv[3]);
    double *took = calloc(rounds, sizeof *took);
    memset(record, 'x', sizeof record);
    open_files(dir, variant == 3 || variant == 5, variant == 7 ? 4096 : 1 << 20);
    char *mapped = variant >= 5 ? mmap(NULL, FILE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd[0], 0) : NULL;
    if (MAP_FAILED == mapped) { perror("mmap"); exit(1); }
    char *maps[FILES] = { mapped };
    char flush_path[4096];
    snprintf(flush_path, sizeof flush_path, "%s/flush", dir);
    const int flush_fd = open(flush_path, O_RDWR | O_CREAT, 0644);
    for (int i = 1; variant == 7 && i < FILES; i++)
    {
        maps[i] = mmap(NULL, FILE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd[i], 0);
        if (MAP_FAILED == maps[i]) { perror("mmap"); exit(1); }
    }
    for (int r = 0; r < rounds; r++)
    {
        const double start = now();
        if (variant == 0) { append(0, 4000); fdatasync(fd[0]); end[0] += 4000; }
        else if (variant == 1) for (long i = 0; i < FILES; i++) append_and_sync((void *)i);
        else if (variant == 2 || variant == 3)
        {
            pthread_t threads[FILES];
            for (long i = 0; i < FILES; i++) pthread_create(&threads[i], NULL, append_and_sync, (void *)i);
            for (int i = 0; i < FILES; i++) pthread_join(threads[i], NULL);
        }
        else if (variant == 7)
        {
            for (int i = 0; i < FILES; i++)
            {
                memcpy(maps[i] + end[i], record, 1000);
                sync_file_range(fd[i], end[i], 1000, SYNC_FILE_RANGE_WRITE);
            }
            for (int i = 0; i < FILES; i++)
            {
                sync_file_range(fd[i], end[i], 1000,
                    SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
                end[i] += 1000;
            }
            fdatasync(flush_fd);
        }
        else if (variant >= 5)
        {
            memcpy(mapped + end[0], record, 1000); // as wirekv's writer appends: through the mapping
            const long from = end[0] & ~4095L;
            end[0] += 1000;
            msync(mapped + from, end[0] - from, MS_SYNC);
        }
        else
        {
            for (int i = 0; i < FILES; i++)
            {
                append(i, 1000);
                sync_file_range(fd[i], end[i] & ~4095L, 8192,
                    SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
                end[i] += 1000;
            }
            fdatasync(fd[0]);
        }
        took[r] = (now() - start) * 1e6;
    }
    qsort(took, rounds, sizeof *took, by_value);
    static const char *names[] = {
        "1 file: 4,000 B pwrite + fdatasync",
        "4 files: 1,000 B each, synced one after another",
        "4 files: 4 threads, pwrite + fdatasync at once",
        "4 files (fallocated): 4 threads at once",
        "4 files: sync_file_range each, one fdatasync",
        "1 file (fallocated), mmap: 1,000 B + msync",
        "1 file (zero-filled 1 MiB writes), mmap: 1,000 B + msync",
        "4 files (zero-filled 4 KiB writes), mmap: srf each, 1 flush" };
    printf("%-62s round p50 %6.0f  p90 %6.0f  p99 %7.0f us\n", names[variant], took[rounds / 2], took[rounds * 9 / 10],
        took[rounds * 99 / 100]);
    return 0;
}
EOF
cc -O2 -pthread -o "${work}/probe" "${work}/probe.c"
echo "probe-sync-files: ${rounds} rounds a variant, ${runs} run(s), files in ${work}, $(date -u +%FT%TZ)"
for run in $(seq 1 "${runs}"); do
  echo "run ${run}"
  for variant in 0 1 2 3 4 5 6 7; do "${work}/probe" "${work}" "${variant}" "${rounds}"; done
done
# Note: the last variant is a probe of the cost only. It is not a safe commit on files whose extents are still
# unwritten (fallocated): a sync_file_range does not commit the extent conversion, so only zero-filled files allow it.
