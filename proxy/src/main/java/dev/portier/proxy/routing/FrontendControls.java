package dev.portier.proxy.routing;

/**
 * What Redis says of a frontend besides its list: a canary, maintenance, a pause. Immutable, so
 * event loops read it without locks; absent parts are null, and a frontend with none has no entry.
 */
public record FrontendControls(Canary canary, Maintenance maintenance, Pause pause) {

    static final FrontendControls NONE = new FrontendControls(null, null, null);

    boolean isEmpty() {
        return canary == null && maintenance == null && pause == null;
    }

    /** A copy with one part replaced ({@code value} null: removed). */
    FrontendControls with(ControlFamily family, Object value) {
        return switch (family) {
            case CANARY -> new FrontendControls((Canary) value, maintenance, pause);
            case MAINTENANCE -> new FrontendControls(canary, (Maintenance) value, pause);
            case PAUSE -> new FrontendControls(canary, maintenance, (Pause) value);
        };
    }
}
