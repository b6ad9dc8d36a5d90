/*
 * SCRAM-SHA-512 users of a Kafka cluster through Kafka's own Admin API (kafkajs has no
 * AlterUserScramCredentials): Kafka salts and hashes the passwords, nothing here does crypto.
 * Run by services/provision/scram.ts as a single-file source program on the Maven-resolved
 * Kafka classpath:
 *
 *   java -cp '.cache/kafka/lib/*' ScramUsers.java <client.properties> list
 *       prints the user names that have a SCRAM-SHA-512 credential, one per line
 *   java -cp '.cache/kafka/lib/*' ScramUsers.java <client.properties> upsert <iterations>
 *       reads "<name>\t<password>" lines on stdin (never on the command line, where other
 *       local users could see them) and creates or replaces those credentials in one request
 */
import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.admin.UserScramCredentialsDescription;

public class ScramUsers {
  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: ScramUsers <client.properties> list | upsert <iterations>");
      System.exit(2);
    }
    Properties properties = new Properties();
    try (FileInputStream in = new FileInputStream(args[0])) {
      properties.load(in);
    }
    try (Admin admin = Admin.create(properties)) {
      switch (args[1]) {
        case "list": {
          Map<String, UserScramCredentialsDescription> users = admin.describeUserScramCredentials().all().get();
          for (Map.Entry<String, UserScramCredentialsDescription> user : users.entrySet()) {
            for (ScramCredentialInfo info : user.getValue().credentialInfos()) {
              if (info.mechanism() == ScramMechanism.SCRAM_SHA_512) System.out.println(user.getKey());
            }
          }
          break;
        }
        case "upsert": {
          int iterations = Integer.parseInt(args.length > 2 ? args[2] : "8192");
          BufferedReader reader = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
          List<UserScramCredentialAlteration> alterations = new ArrayList<>();
          for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            int tab = line.indexOf('\t');
            if (tab <= 0) continue;
            alterations.add(new UserScramCredentialUpsertion(
                line.substring(0, tab), new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, iterations), line.substring(tab + 1)));
          }
          if (!alterations.isEmpty()) admin.alterUserScramCredentials(alterations).all().get();
          System.out.println("upserted " + alterations.size());
          break;
        }
        default:
          System.err.println("unknown command " + args[1]);
          System.exit(2);
      }
    }
  }
}
