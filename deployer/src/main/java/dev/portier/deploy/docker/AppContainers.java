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

    /** The container the frontend's top backend points at, if it is one of these. */
    public static Optional<AppContainer> live(Frontend frontend, List<AppContainer> containers) {
        if (frontend == null || frontend.size() == 0) {
            return Optional.empty();
        }
        BackendUrl top = frontend.backend(0);
        return containers.stream().filter(c -> c.running() && c.serves(top)).findFirst();
    }
}
