package dev.streamtemplate.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CallbackAddressesTest {

    private final CallbackAddresses guard = new CallbackAddresses(false);

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:8080/hook", "http://localhost/hook", "http://[::1]/hook",
            "http://10.1.2.3/hook", "http://172.16.0.1/hook", "http://192.168.1.10/hook",
            "http://169.254.169.254/latest/meta-data/", "http://100.64.0.1/hook", "http://0.0.0.0/hook",
            "http://[::ffff:127.0.0.1]/hook", "http://[fc00::1]/hook", "http://[fe80::1]/hook", "http://224.0.0.1/hook",
            "http://2130706433/hook", "http://[::7f00:1]/hook", "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
            "http://[2002:a00:1::]/hook", "http://[2001:db8::1]/hook", "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook"})
    void refusesLoopbackPrivateLinkLocalAndReservedAddresses(String url) {
        assertThatThrownBy(() -> guard.check(url)).isInstanceOf(CallbackAddresses.RefusedCallbackException.class)
                .hasMessageContaining("not a public address");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://example.com/hook", "/hook", "http:///hook", "http://user:pw@example.com/hook",
            "not a url", "javascript:alert(1)", "file:///etc/passwd"})
    void refusesWhatIsNotAnAbsoluteHttpUrlWithAHost(String url) {
        assertThatThrownBy(() -> guard.check(url)).isInstanceOf(CallbackAddresses.RefusedCallbackException.class)
                .hasMessageContaining("'url'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://93.184.216.34/hook", "http://8.8.8.8:8080/a/b?c=d", "https://[2606:4700::1111]/hook"})
    void acceptsPublicAddresses(String url) throws Exception {
        assertThat(guard.check(url).toString()).isEqualTo(url);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:8080/hook", "http://10.1.2.3/hook"})
    void allowsPrivateAddressesOnlyWhenTold(String url) throws Exception {
        assertThat(new CallbackAddresses(true).check(url).toString()).isEqualTo(url);
    }
}
