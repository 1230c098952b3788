# Finds a JDK 25 and prints its home; exits with a clear message when there is none.
# Order: WIREKV_JAVA_HOME, JAVA_HOME (if it is 25+), then /usr/lib/jvm/*.
wirekv_jdk_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | awk -F'= ' '/java.specification.version/ {print $2; exit}'
}

wirekv_find_jdk25() {
  local candidate major
  for candidate in "${WIREKV_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/*; do
    [[ -n "${candidate}" && -x "${candidate}/bin/java" ]] || continue
    major="$(wirekv_jdk_major "${candidate}")"
    if [[ "${major%%.*}" =~ ^[0-9]+$ ]] && (( ${major%%.*} >= 25 )); then
      echo "${candidate}"
      return 0
    fi
  done
  echo "wirekv: no JDK 25 found (looked at WIREKV_JAVA_HOME, JAVA_HOME and /usr/lib/jvm/*)." >&2
  echo "wirekv: install one (e.g. Temurin 25 under /usr/lib/jvm) or set WIREKV_JAVA_HOME to its home." >&2
  return 1
}

# The JVM flags every wirekv JVM runs with; mirrors <wirekv.jvmFlags> in pom.xml.
WIREKV_JVM_FLAGS=(--enable-native-access=ALL-UNNAMED --add-exports java.base/jdk.internal.misc=ALL-UNNAMED)
