/* One line per test suite; each is defined in tests/unit/test_<name>.c as
 * RTCLAB_SUITE(name) { unit_add_suite(...); }. */
X(bytes)
X(rfc5769)
X(stun_attrs)
X(stun_problems)
X(channeldata)
X(strprep)
X(tshark)
X(sdp)
X(candidate)
X(ice)
