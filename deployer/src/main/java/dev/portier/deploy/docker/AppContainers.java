package dev.portier.deploy.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import dev.portier.common.BackendUrl;
import dev.portier.common.Frontend;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Finds our web containers by label, newest first; Docker is the only record of what was deployed. */
public final class AppContainers {

    private final DockerClient docker;

    public AppContainers(DockerClient docker) {
        this.docker = docker;
    }

    /** Every web container of an app serving a frontend, running or not, newest deploy first. */
    public List<AppContainer> of(String app, String frontend) {
        Map<String, String> filter = new HashMap<>();
        filter.put(Labels.ROLE, Labels.ROLE_WEB);
        if (app != null) {
            filter.put(Labels.APP, app);
        }
        if (frontend != null) {
            filter.put(Labels.FRONTEND, frontend);
        }
        List<Container> listed = docker.listContainersCmd().withShowAll(true).withLabelFilter(filter).exec();
        List<AppContainer> out = new ArrayList<>(listed.size());
        for (Container c : listed) {
            out.add(AppContainer.from(c));
        }
        out.sort(Comparator.comparing(AppContainer::deployedAt).reversed().thenComparing(AppContainer::name));
        return out;
    }

    /** Every web container of an app, any frontend. */
    public List<AppContainer> ofApp(String app) {
        return of(app, null);
    }

    /** One container by id, as listed now (its ports and IPs appear once it runs). */
    public Optional<AppContainer> byId(String id) {
        List<Container> listed = docker.listContainersCmd().withShowAll(true).withIdFilter(List.of(id)).exec();
        return listed.isEmpty() ? Optional.empty() : Optional.of(AppContainer.from(listed.get(0)));
    }

    /**
     * The container the frontend's list points at, if it is one of these: the one serving the
     * topmost backend that any of them serves (a fleet's list names one container per host, and
     * these are one host's).
     */
    public static Optional<AppContainer> live(Frontend frontend, List<AppContainer> containers) {
        if (frontend == null) {
            return Optional.empty();
        }
        for (int i = 0; i < frontend.size(); i++) {
            BackendUrl b = frontend.backend(i);
            Optional<AppContainer> c = containers.stream().filter(x -> x.running() && x.serves(b)).findFirst();
            if (c.isPresent()) {
                return c;
            }
        }
        return Optional.empty();
    }
}
