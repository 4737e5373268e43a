package bass.serve;

import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;

import javax.naming.Context;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import javax.naming.directory.SearchControls;
import javax.naming.directory.SearchResult;

/**
 * Logins from the operator's directory (4A: accounts and their rights come from one place): a
 * login binds to the LDAP server as the user's DN with the password given, then reads the groups
 * that list the user as a member. A role group (one per server role) admits the user to the
 * server of that role; the province group or region groups (prefix + region code, e.g.
 * bass-region-571) give the scope. A user in no role group of this server, or with an analyst
 * role but no scope group, is refused.
 */
public final class Directory {

    private static volatile Directory current = null;

    private final String url;
    private final String userDn;          // with {user}, e.g. uid={user},ou=people,dc=example,dc=com
    private final String groupBase;
    private final String roleGroup;       // the group of this server's role
    private final String provinceGroup;
    private final String regionPrefix;

    private Directory(String url, String userDn, String groupBase, String roleGroup, String provinceGroup,
                      String regionPrefix) {
        this.url = url;
        this.userDn = userDn;
        this.groupBase = groupBase;
        this.roleGroup = roleGroup;
        this.provinceGroup = provinceGroup;
        this.regionPrefix = regionPrefix;
    }

    public static void configure(String url, String userDn, String groupBase, String roleGroup,
                                 String provinceGroup, String regionPrefix) {
        current = new Directory(url, userDn, groupBase, roleGroup, provinceGroup, regionPrefix);
    }

    static Directory configured() {
        return current;
    }

    /** The user's scope ("province" or region codes) if the password binds and the groups admit them, else null. */
    String check(String user, String password) {
        if (password.isEmpty() || !user.matches("[A-Za-z][A-Za-z0-9_.-]{0,63}")) {
            return null;   // an empty password would bind anonymously; odd names could escape the DN
        }
        String dn = userDn.replace("{user}", user);
        Hashtable<String, String> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.ldap.LdapCtxFactory");
        env.put(Context.PROVIDER_URL, url);
        env.put(Context.SECURITY_AUTHENTICATION, "simple");
        env.put(Context.SECURITY_PRINCIPAL, dn);
        env.put(Context.SECURITY_CREDENTIALS, password);
        env.put("com.sun.jndi.ldap.connect.timeout", "5000");
        env.put("com.sun.jndi.ldap.read.timeout", "10000");
        DirContext context;
        try {
            context = new InitialDirContext(env);
        } catch (NamingException e) {
            return null;
        }
        try {
            List<String> groups = groupsOf(context, dn);
            if (!groups.contains(roleGroup)) {
                return null;
            }
            if (groups.contains(provinceGroup)) {
                return Scope.PROVINCE;
            }
            List<String> regions = new ArrayList<>();
            for (String g : groups) {
                if (g.startsWith(regionPrefix)) {
                    regions.add(g.substring(regionPrefix.length()));
                }
            }
            return regions.isEmpty() ? null : String.join(",", regions);
        } catch (NamingException e) {
            return null;
        } finally {
            try {
                context.close();
            } catch (NamingException ignored) {
                // the bind is over either way
            }
        }
    }

    private List<String> groupsOf(DirContext context, String dn) throws NamingException {
        SearchControls controls = new SearchControls();
        controls.setSearchScope(SearchControls.SUBTREE_SCOPE);
        controls.setReturningAttributes(new String[] {"cn"});
        NamingEnumeration<SearchResult> found = context.search(groupBase, "(member={0})", new Object[] {dn}, controls);
        List<String> names = new ArrayList<>();
        while (found.hasMore()) {
            Attribute cn = found.next().getAttributes().get("cn");
            if (cn != null) {
                names.add(String.valueOf(cn.get()));
            }
        }
        return names;
    }
}
