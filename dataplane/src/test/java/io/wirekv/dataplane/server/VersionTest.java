package io.wirekv.dataplane.server;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VersionTest
{
    @Test
    void shouldCarryTheVersionAndBuildTimeTheBuildRecorded()
    {
        assertTrue(Version.VERSION.matches("\\d+\\.\\d+\\.\\d+(-[A-Za-z0-9.]+)?"), Version.VERSION);
        assertTrue(Version.BUILT.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"), Version.BUILT);
        assertTrue(Version.COMMIT.equals(Version.UNKNOWN) || Version.COMMIT.matches("[0-9a-f]{40}(-dirty)?"),
            Version.COMMIT);
    }

    @Test
    void shouldRecordTheCommitOfThisCheckoutWhenGitIsThere() throws Exception
    {
        final String head = gitHead();
        if (head == null)
        {
            assertEquals(Version.UNKNOWN, Version.COMMIT, "no git or no checkout here: the build records unknown");
            return;
        }
        // The build ran moments ago in this tree; a commit since then is the only way they differ.
        assertTrue(Version.COMMIT.startsWith(head), "build recorded " + Version.COMMIT + ", HEAD is " + head);
    }

    @Test
    void shouldDescribeVersionCommitAndBuildTime()
    {
        final String d = Version.describe();
        assertEquals("wirekv " + Version.VERSION + " (commit " + Version.shortCommit() + ", built " + Version.BUILT + ")", d);
        assertTrue(Version.describeJdk().startsWith("JDK " + Runtime.version().feature()), Version.describeJdk());
    }

    @Test
    void shouldTreatUnfilteredPlaceholdersAndMissingKeysAsUnknown()
    {
        final Properties p = new Properties();
        p.setProperty("commit", "${wirekv.git.commit}");
        p.setProperty("version", " 1.2.3 ");
        assertEquals(Version.UNKNOWN, Version.valueOf(p, "commit"));
        assertEquals(Version.UNKNOWN, Version.valueOf(p, "built"));
        assertEquals("1.2.3", Version.valueOf(p, "version"));
    }

    private static String gitHead() throws InterruptedException
    {
        try
        {
            final Process git = new ProcessBuilder("git", "rev-parse", "HEAD")
                .directory(Path.of(System.getProperty("user.dir")).toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            final String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            return git.waitFor(10, TimeUnit.SECONDS) && git.exitValue() == 0 && out.matches("[0-9a-f]{40}") ? out : null;
        }
        catch (final IOException noGit)
        {
            return null;
        }
    }
}
