package io.faultline.cli;

import picocli.CommandLine;

/** {@code --version}: the version the build wrote into the jar's manifest. */
final class ManifestVersion implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Faultline.class.getPackage().getImplementationVersion();
        return new String[] {"faultline " + (v != null ? v : "(development build)")};
    }
}
