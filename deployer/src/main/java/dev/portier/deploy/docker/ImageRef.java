package dev.portier.deploy.docker;

/** An image reference split the way a pull needs it: {@code registry:5000/repo:tag} or {@code repo@sha256:...}. */
public record ImageRef(String repository, String tag, String digest) {

    /** Splits a reference; a missing tag means {@code latest}, as Docker reads it. */
    public static ImageRef parse(String ref) {
        String r = ref.trim();
        int at = r.indexOf('@');
        if (at >= 0) {
            return new ImageRef(r.substring(0, at), null, r.substring(at + 1));
        }
        int slash = r.lastIndexOf('/');
        int colon = r.lastIndexOf(':');
        if (colon > slash) {
            return new ImageRef(r.substring(0, colon), r.substring(colon + 1), null);
        }
        return new ImageRef(r, "latest", null);
    }

    /** What we call the version when none is given: the tag, else the digest. */
    public String version() {
        return tag != null ? tag : digest;
    }

    /** The same repository with another tag, as watch mode builds it from the wanted version. */
    public ImageRef withTag(String newTag) {
        return new ImageRef(repository, newTag, null);
    }

    @Override
    public String toString() {
        return digest != null ? repository + "@" + digest : repository + ":" + tag;
    }
}
