package io.wirekv.deploy;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The build's entry point is the official Maven Wrapper (only-script flavour): a pinned Maven from Maven
 * Central whose download is checked against a SHA-256, and one wirekv addition to {@code mvnw} that makes
 * Maven run on a JDK 25 from any shell (deploy/lib/jdk.sh finds it).
 */
class MavenWrapperTest
{
    private static final Path ROOT = DeployScripts.DEPLOY.getParent();

    private static Properties wrapperProperties() throws IOException
    {
        final Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(ROOT.resolve(".mvn/wrapper/maven-wrapper.properties")))
        {
            p.load(in);
        }
        return p;
    }

    @Test
    void shouldPinMavenFromCentralWithAChecksum() throws IOException
    {
        final Properties p = wrapperProperties();
        assertEquals("only-script", p.getProperty("distributionType"));
        assertTrue(p.getProperty("wrapperVersion", "").matches("3\\.3\\.\\d+"), p.toString());
        assertEquals("https://repo.maven.apache.org/maven2/org/apache/maven/apache-maven/3.9.11/apache-maven-3.9.11-bin.zip",
            p.getProperty("distributionUrl"));
        // Without it the wrapper would run whatever it downloaded.
        assertTrue(p.getProperty("distributionSha256Sum", "").matches("[0-9a-f]{64}"), p.toString());
        assertTrue(Files.isExecutable(ROOT.resolve("mvnw")), "mvnw is executable");
        assertTrue(Files.isRegularFile(ROOT.resolve("mvnw.cmd")), "mvnw.cmd is there for Windows users");
    }

    @Test
    void shouldKeepTheJdk25LookupInTheStandardScript() throws IOException
    {
        final String mvnw = Files.readString(ROOT.resolve("mvnw"));
        assertTrue(mvnw.contains("Apache Maven Wrapper startup batch script"), "mvnw is the official script");
        assertTrue(mvnw.contains("wirekv_find_jdk25") && mvnw.contains("export JAVA_HOME"),
            "mvnw lost its wirekv block (regenerated?): put the JDK 25 lookup back (see the block's comment)");
        assertTrue(mvnw.indexOf("wirekv_find_jdk25") < mvnw.indexOf("set -euf"), "the block runs before the standard script");
    }

    @Test
    void shouldRunMavenOnAJdk25WhateverJavaHomeSays()
    {
        // A shell whose JAVA_HOME points elsewhere (here: nowhere useful) still builds with JDK 25.
        final Map<String, String> env = new HashMap<>();
        env.put("JAVA_HOME", "/nonexistent-jdk");
        env.put("WIREKV_JAVA_HOME", "");
        final DeployScripts.Result r = DeployScripts.exec(env, List.of(ROOT.resolve("mvnw").toString(), "-v"));
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("Apache Maven 3.9.11"), r.toString());
        assertTrue(r.stdout().matches("(?s).*Java version: (2[5-9]|[3-9]\\d).*"), r.toString());
    }
}
