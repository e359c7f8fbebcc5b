package dev.portier.deploy.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostsFileTest {

    @TempDir
    Path dir;

    private Path file(String text) throws IOException {
        return Files.writeString(dir.resolve("hosts.yml"), text);
    }

    @Test
    void yamlAndJsonNameTheEnginesInOrderWithTheirAddressesAndTls() throws IOException {
        List<EngineSpec> yaml = HostsFile.read(file("""
                hosts:
                  - name: web1
                    docker: tcp://10.0.0.1:2376
                    tls: {verify: true, certPath: /certs/web1}
                  - docker: unix:///run/h2.sock
                    address: 169.254.7.2
                """));
        assertEquals(List.of(new EngineSpec("web1", "tcp://10.0.0.1:2376", "10.0.0.1", true, "/certs/web1"),
                new EngineSpec("169.254.7.2", "unix:///run/h2.sock", "169.254.7.2", null, null)), yaml);
        assertEquals(yaml.subList(1, 2), HostsFile.read(file("{\"hosts\":[{\"docker\":\"unix:///run/h2.sock\",\"address\":\"169.254.7.2\"}]}")));
    }

    @Test
    void aWrongFileFailsNamingTheKey() throws IOException {
        assertMessage("hosts[0].address: required for unix:///run/h.sock", "hosts:\n  - docker: unix:///run/h.sock\n");
        assertMessage("hosts[1].address: 10.0.0.1 is given to two hosts",
                "hosts:\n  - {name: a, docker: tcp://10.0.0.1:2375}\n  - {name: b, docker: tcp://10.0.0.1:2376}\n");
        assertMessage("hosts[0].docker: the engine's URL is required", "hosts:\n  - address: 10.0.0.1\n");
        assertMessage("hosts[0].port", "hosts:\n  - docker: tcp://10.0.0.1:2375\n    port: 1\n");
        assertMessage("hosts: at least one host", "hosts: []\n");
    }

    @Test
    void repeatedDockerHostsNeedAnAddressInTheirUrl() {
        assertEquals("10.0.0.3", EngineSpec.fromUrl("tcp://10.0.0.3:2376").address());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EngineSpec.fromUrl("unix:///var/run/docker.sock"));
        assertTrue(e.getMessage().contains("--hosts file"), e.getMessage());
    }

    private void assertMessage(String expected, String yaml) throws IOException {
        Path f = file(yaml);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HostsFile.read(f));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
